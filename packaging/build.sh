#!/usr/bin/env bash
# Build the facepay wheel into dist/, install it into a fresh venv and run it from outside
# the source tree: `facepay --help`, `facepay models verify`, `facepay doctor --no-ledger --no-display`
# and, when photos are given, the headless kiosk demo.
#   packaging/build.sh [PHOTOS_DIR]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
py="${PYTHON:-python3}"
photos="${1:-}"
rm -rf dist build
"$py" -m pip wheel -q --no-deps -w dist . 2>/dev/null
wheel="$(ls "$root"/dist/facepay-*.whl)"
echo "[build] built $wheel"
for qm in facepay_zh_CN.qm facepay_de.qm; do   # the shopper's languages ship compiled
  "$py" -c "import sys, zipfile; sys.exit('terminal_ui/translations/$qm' not in zipfile.ZipFile(sys.argv[1]).namelist())" "$wheel" \
    || { echo "[build] $qm missing from the wheel" >&2; exit 1; }
done
scratch="$(mktemp -d)"
"$py" -m venv "$scratch/venv"
"$scratch/venv/bin/pip" install -q "$wheel"
cd "$scratch"   # run from outside the source tree: only the installed package is used
export FACEPAY_PAYMENTS_DATA_DIR="$scratch/data"
"$scratch/venv/bin/facepay" --help >/dev/null
"$scratch/venv/bin/facepay" models verify
"$scratch/venv/bin/facepay" doctor --no-ledger --no-display
if [ -n "$photos" ]; then
  QT_QPA_PLATFORM=offscreen "$scratch/venv/bin/facepay" demo --headless --repeats 1 --photos "$photos"
fi
echo "[build] installed and ran from $scratch/venv"
