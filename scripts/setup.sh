#!/usr/bin/env bash
# Creates .venv/ at the repository root and installs ergorisk (editable) with its dependencies.
set -euo pipefail
cd "$(dirname "$0")/.."
# report.pdf (WeasyPrint) needs Pango and HarfBuzz's subsetter from Debian.
if ! ldconfig -p | grep -q libpangoft2-1.0.so.0 || ! ldconfig -p | grep -q libharfbuzz-subset.so.0; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core
fi
python3.11 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
# torch first and pinned, so that the CPU wheel is taken and no CUDA packages follow.
.venv/bin/python -m pip install --quiet "torch==2.13.0"
.venv/bin/python -m pip install --quiet -e ".[dev,postgres]"
.venv/bin/python -m pip check
