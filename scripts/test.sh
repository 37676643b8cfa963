#!/usr/bin/env bash
# The test command: lint, then the test suite. Benchmarks are separate (benchmarks/).
set -uo pipefail
cd "$(dirname "$0")/.."
.venv/bin/ruff check src tests benchmarks || exit 1
.venv/bin/python -m pytest -q "$@"
rc=$?
# pytest exits 5 when no test was collected; that is not a failure of the code under test.
if [ "$rc" -eq 5 ]; then exit 0; fi
exit "$rc"
