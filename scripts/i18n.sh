#!/usr/bin/env bash
# Extract the Czech source strings and update the catalogues:  scripts/i18n.sh
#   en – the English translation (every msgid must be translated; tests/web/i18n checks it);
#   cs – only the Czech plural forms (the sources give singular/plural, Czech needs three forms;
#        every other Czech msgstr stays empty, so the source string is shown).
# bootstrap.sh compiles the catalogues on install. See docs/i18n.md.
set -euo pipefail
cd "$(dirname "$0")/.."
pybabel=.venv/bin/pybabel
mkdir -p web/translations
$pybabel -q extract -F babel.cfg -k _l -k lazy_gettext -k lazy_ngettext:1,2 --sort-by-file --no-wrap \
  --project Plnění --copyright-holder "Liberecký kraj" --msgid-bugs-address "plneni@kraj-lbc.cz" \
  -o web/translations/messages.pot web workflow forms notifications templates
for locale in en cs; do
  if [ -f "web/translations/$locale/LC_MESSAGES/messages.po" ]; then
    # No fuzzy guesses: a new string arrives untranslated and tests/web/i18n names it.
    $pybabel -q update --no-wrap --ignore-obsolete --no-fuzzy-matching \
      -i web/translations/messages.pot -d web/translations -l "$locale"
  else
    $pybabel -q init --no-wrap -i web/translations/messages.pot -d web/translations -l "$locale"
  fi
done
$pybabel -q compile -d web/translations
