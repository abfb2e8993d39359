#!/usr/bin/env bash
# Open-data and schema checks that need Python (jsonschema, PyYAML, openpyxl)
# and LibreOffice (`apt-get install libreoffice-calc-nogui python3-openpyxl
# python3-jsonschema python3-yaml`): validates the example's and the
# conformance site's files against `minglu schema`, checks that check's
# rejected fixtures are rejected by the schemas where they can say so, and
# round-trips every CSV of the built example through Python's csv module and
# a LibreOffice xlsx import. Run from the repository root.
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build --quiet --locked
bin=target/debug/minglu
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bin" schema --output "$work/schema" >/dev/null 2>&1
# Debian's python3-* packages sit under /usr/bin/python3, which may not be the
# python3 on PATH: use the first Python that has every module these scripts need.
for py in /usr/bin/python3 python3; do
  if "$py" -c 'import jsonschema, yaml, openpyxl' 2>/dev/null; then python=$py; break; fi
done
: "${python:?no Python with jsonschema, yaml and openpyxl (apt-get install python3-jsonschema python3-yaml python3-openpyxl)}"
"$python" tests/data/validate_schemas.py "$work/schema" accept . tests/fixtures/conformance
# The rejected fixtures whose rule a schema can express (the rest need other files).
(cd tests/fixtures/check && "$python" ../../data/validate_schemas.py "$work/schema" reject \
  unknown-field unknown-field-other-kind invalid-value missing-field invalid-url \
  invalid-date wrong-type refuse-without-instead field-not-applicable invalid-id invalid-number)
SOURCE_DATE_EPOCH=1764000000 "$bin" build --quiet --output "$work/public"
"$python" tests/data/roundtrip.py "$work/public" "$work/lo"
