#!/usr/bin/env bash
# The test command: lint and format check, then the whole test suite (benchmarks are
# separate: benchmarks/). Arguments go to pytest; the fast inner loop is
#   bash scripts/test.sh -m "not slow and not e2e"
set -uo pipefail
cd "$(dirname "$0")/.."
.venv/bin/ruff check src tests benchmarks scripts || exit 1
.venv/bin/ruff format --check src tests benchmarks scripts || exit 1
.venv/bin/python -m pytest -q "$@"
rc=$?
# pytest exits 5 when no test was collected; that is not a failure of the code under test.
if [ "$rc" -eq 5 ]; then exit 0; fi
exit "$rc"
