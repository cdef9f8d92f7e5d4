#!/bin/sh
# Usage: run_build.sh NAME WORKTREE [OUTDIR]  -- the acceptance walks against WORKTREE/.venv/bin/kiosk-ui.
# Staff/screen walks first (short), then the payment scenarios under every reading (ACCEPT_READINGS to narrow).
set -u
name=$1; tree=$2; out=${3:-.results}
here=$(cd "$(dirname "$0")" && pwd)
py=${ACCEPT_PYTHON:-$here/../../.venv/bin/python}
mkdir -p "$out"
{ echo "build $name: $(git -C "$tree" rev-parse --short HEAD) dirty files: $(git -C "$tree" status --short | wc -l) at $(date -u +%H:%M:%S)"; } > "$out/$name-head.txt"
export KIOSK_UI_BIN="$tree/.venv/bin/kiosk-ui" ACCEPT_ARTIFACTS="/tmp/accept-artifacts/$name"
timeout 1200 "$py" -m pytest -c "$here/pytest.ini" "$here/test_acceptance.py" \
  -k "not cash_sale and not cash_cancel and not card_approved" --junitxml="$out/$name-staff.xml" > "$out/$name-staff.txt" 2>&1
timeout 3600 "$py" -m pytest -c "$here/pytest.ini" "$here/test_acceptance.py" \
  -k "cash_sale or cash_cancel or card_approved" --junitxml="$out/$name-payments.xml" > "$out/$name-payments.txt" 2>&1
echo "done at $(date -u +%H:%M:%S)" >> "$out/$name-head.txt"
