#!/usr/bin/env bash
# Build the facepay wheel into dist/ and check it installs and runs in a fresh venv.
#   packaging/build.sh            build + smoke test (facepay --help, models verify)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
py="${PYTHON:-python3}"
rm -rf dist build
"$py" -m pip wheel -q --no-deps -w dist .
wheel="$(ls dist/facepay-*.whl)"
echo "built $wheel"
venv="$(mktemp -d)/venv"
"$py" -m venv "$venv"
"$venv/bin/pip" install -q "$wheel"
cd "$(mktemp -d)"   # run from outside the source tree: only the installed package is used
"$venv/bin/facepay" --help >/dev/null
"$venv/bin/facepay" models list
echo "installed and ran from $venv"
