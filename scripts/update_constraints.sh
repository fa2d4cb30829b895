#!/usr/bin/env bash
# Re-resolve every dependency (the app, its test and PDF extras) in a throw-away virtual
# environment and write the versions it chose to constraints.txt, which the README's two
# commands and .ci/run install with (`pip install -c constraints.txt …`). Run it on purpose,
# run the whole suite, and commit constraints.txt with whatever the new versions needed.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 -m venv "$tmp/venv"
"$tmp/venv/bin/pip" install -q -e '.[test,pdf]'
"$tmp/venv/bin/pip" freeze --exclude-editable > constraints.txt
echo "constraints.txt: $(wc -l < constraints.txt) pinned packages"
