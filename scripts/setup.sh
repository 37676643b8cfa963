#!/usr/bin/env bash
# Creates .venv/ at the repository root and installs ergorisk (editable) with its dependencies.
set -euo pipefail
cd "$(dirname "$0")/.."
python3.11 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
# torch first and pinned, so that the CPU wheel is taken and no CUDA packages follow.
.venv/bin/python -m pip install --quiet "torch==2.13.0"
.venv/bin/python -m pip install --quiet -e ".[dev,postgres]"
.venv/bin/python -m pip check
