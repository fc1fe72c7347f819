"""workflow.text.fold, the search key of every search, is its plain definition — NFKD, without
combining marks, case-folded, without whitespace — computed faster (issue 17): the same key for
every character, alone and among others."""

from __future__ import annotations

import re
import unicodedata

from workflow.text import fold


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return re.sub(r"\s+", "", "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold())


def test_fold_is_its_definition_for_every_character() -> None:
    # planes 0 and 1 and the tags and variation selectors of plane 14: every combining mark there is
    for code_point in (*range(0x20000), *range(0xE0000, 0xE1000)):
        if 0xD800 <= code_point <= 0xDFFF:
            continue
        ch = chr(code_point)
        text = f"a{ch}B č{ch}\u00a0{ch}"
        assert fold(text) == _plain(text), hex(code_point)


def test_fold_examples() -> None:
    assert fold("KÚ LK / OŠMTS") == "kulk/osmts"
    assert fold("Průběžně") == "prubezne"
    assert fold("ﬁ\u2003Ǆ") == "fidz"  # ligatures split, every space removed
    assert fold(None) == "" and fold("") == "" and fold(" \t\n") == ""
