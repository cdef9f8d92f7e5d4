#!/usr/bin/env bash
# Set up everything the test suite needs on a fresh Debian machine, then run it all:
# Debian's Chromium (browser tests never download a browser), a virtualenv with the
# project and its test extra, ruff, mypy and pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1; then
  echo "== installing Debian's chromium"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "== creating .venv"
  "$PY" -m venv .venv
fi
echo "== installing kiosk-ui with its test extra"
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q -e '.[test]'

echo "== ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "== mypy"
.venv/bin/mypy kiosk_ui
echo "== pytest"
.venv/bin/python -m pytest -q -p no:cacheprovider "$@"
# the simulator speaking every spelling the app claims to accept ("True", numbers, dd/MM/yyyy, "75%", ...),
# chosen per field and per message; KIOSK_SIM_SEED replays a failing run
echo "== pytest, simulator in the mixed dialect (non-browser tests)"
KIOSK_SIM_DIALECT=mixed .venv/bin/python -m pytest -q -p no:cacheprovider -m "not browser" "$@"
