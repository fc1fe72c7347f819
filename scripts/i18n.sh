#!/usr/bin/env bash
# Extract the Czech source strings and update the English catalogue:  scripts/i18n.sh
# (bootstrap.sh compiles the catalogues on install).
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/pybabel extract -q -F babel.cfg -k _l -k lazy_gettext -o web/translations/messages.pot \
  --project Plnění --copyright-holder "Liberecký kraj" web workflow forms notifications templates
if [ -f web/translations/en/LC_MESSAGES/messages.po ]; then
  .venv/bin/pybabel update -q -i web/translations/messages.pot -d web/translations -l en
else
  .venv/bin/pybabel init -q -i web/translations/messages.pot -d web/translations -l en
fi
