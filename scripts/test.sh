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
echo "== installing kiosk-ui with its test extra (at ${SECONDS} s)"
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q -e '.[test]'

echo "== ruff (at ${SECONDS} s)"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "== mypy (at ${SECONDS} s)"
.venv/bin/mypy kiosk_ui
# pytest-xdist: two workers per core, as most tests spend their time waiting on a socket, a subprocess or
# Chromium (KIOSK_TEST_WORKERS=N: N workers; 0 runs in this process). --dist loadscope sends each test
# module whole to one worker, in file order: a module's Chromium, app process or simulator (module-scoped
# fixtures) starts once, and its tests follow each other as in a serial run. (Not loadgroup: on pytest 9.2
# its xdist_group marks are silently ignored, pytest-xdist issue 1386.)
WORKERS=(-n "${KIOSK_TEST_WORKERS:-$((2 * $(nproc)))}" --dist loadscope)
echo "== pytest (at ${SECONDS} s)"
.venv/bin/python -m pytest -q -p no:cacheprovider "${WORKERS[@]}" "$@"
# the simulator speaking every spelling the app claims to accept ("True", numbers, dd/MM/yyyy, "75%", ...),
# chosen per field and per message; KIOSK_SIM_SEED replays a failing run. Only the tests marked "dialect"
# (those that start the simulator in the run's dialect, marked by tests/conftest.py): the others send and
# read the same bytes whatever KIOSK_SIM_DIALECT says, and ran above
echo "== pytest, simulator in the mixed dialect (tests marked dialect) (at ${SECONDS} s)"
KIOSK_SIM_DIALECT=mixed .venv/bin/python -m pytest -q -p no:cacheprovider "${WORKERS[@]}" -m "dialect and not browser" "$@"
echo "== all passed in ${SECONDS} s"
