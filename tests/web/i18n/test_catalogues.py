"""The translation catalogues: every UI string has an English translation, Czech plural forms are
complete, placeholders survive translation, and the catalogues match the source code."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from support import PROJECT_ROOT

TRANSLATIONS = PROJECT_ROOT / "web" / "translations"
EN_PO = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
CS_PO = TRANSLATIONS / "cs" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|\{\w+\}")
SOURCES = ["web", "workflow", "forms", "notifications", "templates"]


def _catalog(path: Path):
    with path.open("rb") as handle:
        return read_po(handle)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    """The msgids in the source code right now (the same extraction as ``scripts/i18n.sh``)."""
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    pybabel = Path(sys.executable).with_name("pybabel")
    subprocess.run(
        [str(pybabel), "-q", "extract", "-F", "babel.cfg", "-k", "_l", "-k", "lazy_gettext",
         "-k", "lazy_ngettext:1,2", "-o", str(pot), *SOURCES],
        cwd=PROJECT_ROOT, check=True,
    )
    return {m.id if isinstance(m.id, str) else m.id[0] for m in _catalog(pot) if m.id}


def test_every_english_message_is_translated_and_not_fuzzy() -> None:
    catalog = _catalog(EN_PO)
    problems = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        elif not all(s and s.strip() for s in strings):
            problems.append(f"untranslated: {message.id!r}")
    assert len(catalog) > 500
    assert not problems, "run scripts/i18n.sh and translate (docs/i18n.md):\n" + "\n".join(problems)


def test_placeholders_survive_translation() -> None:
    wrong = []
    for message in _catalog(EN_PO):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = sorted(set(PLACEHOLDER.findall(ids[-1])))
        for text in strings:
            if sorted(set(PLACEHOLDER.findall(text))) != expected:
                wrong.append(f"{message.id!r} → {text!r}")
    assert not wrong, "\n".join(wrong)


def test_catalogues_contain_every_string_of_the_source_code(extracted: set[str]) -> None:
    """A string added to a template or to Python code without running scripts/i18n.sh fails here."""
    for path in (EN_PO, CS_PO):
        known = {m.id if isinstance(m.id, str) else m.id[0] for m in _catalog(path) if m.id}
        missing = sorted(extracted - known)
        where = path.relative_to(PROJECT_ROOT)
        assert not missing, f"{where} lacks (run scripts/i18n.sh):\n" + "\n".join(missing)


def test_czech_catalogue_has_three_plural_forms_for_every_plural() -> None:
    catalog = _catalog(CS_PO)
    assert catalog.num_plurals == 3
    assert catalog.plural_expr.replace(" ", "") in {
        "((n==1)?0:(n>=2&&n<=4)?1:2)", "(n==1)?0:(n>=2&&n<=4)?1:2",
    }
    plurals = [m for m in catalog if m.id and isinstance(m.id, tuple)]
    assert plurals, "no ngettext string at all"
    incomplete = [m.id for m in plurals if len(m.string) != 3 or not all(m.string) or m.fuzzy]
    assert not incomplete, incomplete
    # every other Czech msgstr stays empty: the source text is the Czech text
    assert all(not m.string for m in catalog if m.id and isinstance(m.id, str))


def test_english_plurals_have_two_forms() -> None:
    catalog = _catalog(EN_PO)
    assert catalog.num_plurals == 2
    for message in catalog:
        if message.id and isinstance(message.id, tuple):
            assert len(message.string) == 2 and all(message.string), message.id


def test_compiled_catalogues_exist() -> None:
    """bootstrap.sh compiles the catalogues on install (the .mo files are not committed)."""
    for lang in ("en", "cs"):
        mo = TRANSLATIONS / lang / "LC_MESSAGES" / "messages.mo"
        po = mo.with_suffix(".po")
        assert mo.exists(), f"{mo} missing: run scripts/bootstrap.sh"
        assert mo.stat().st_mtime >= po.stat().st_mtime - 1, f"{mo} is older than the .po: run bootstrap.sh"
