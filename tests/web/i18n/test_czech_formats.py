"""Czech formats (issue 7): sorting by Czech collation, plural forms, dates, numbers and a search that
ignores diacritics and case; and the same in English."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from flask import Flask, render_template_string
from flask_babel import ngettext
from i18n_support import in_language, make_app

from web.filters import czech_date, czech_datetime, number
from workflow.text import czech_sort_key, fold, matches


@pytest.fixture(scope="module")
def i18n_app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    return make_app(tmp_path_factory.mktemp("i18n") / "instance")


# --------------------------------------------------------------------------- sorting


def test_czech_collation_ch_after_h_and_hacek_letters_after_their_base() -> None:
    words = ["Žatec", "Chrastava", "Cvikov", "Hrádek", "Čáslav", "Ivanov", "Zákupy", "Řasnice", "Rokytnice",
             "Šluknov", "Semily", "Ústí", "Uhelná", "abeceda", "Ábel"]
    assert sorted(words, key=czech_sort_key) == [
        "abeceda", "Ábel", "Cvikov", "Čáslav", "Hrádek", "Chrastava", "Ivanov", "Rokytnice", "Řasnice",
        "Semily", "Šluknov", "Uhelná", "Ústí", "Zákupy", "Žatec",
    ]


def test_code_point_order_would_be_wrong() -> None:
    """The reason for ICU: plain sorting puts Č after Z and Ch before H."""
    words = ["Čáslav", "Cvikov", "Chrastava", "Hrádek", "Zákupy"]
    assert sorted(words) != sorted(words, key=czech_sort_key)
    assert sorted(words, key=czech_sort_key) == ["Cvikov", "Čáslav", "Hrádek", "Chrastava", "Zákupy"]


def test_body_abbreviations_sort_in_czech_order() -> None:
    bodies = ["OŠMTS", "OSV", "OSMTVS", "KÚ LK", "KH LK", "ORREP", "OŘ"]
    ordered = sorted(bodies, key=czech_sort_key)
    assert ordered.index("ORREP") < ordered.index("OŘ"), ordered  # R < Ř
    assert ordered.index("OSV") < ordered.index("OŠMTS"), ordered  # S < Š
    assert ordered.index("KH LK") < ordered.index("KÚ LK"), ordered


def test_sort_key_handles_none_and_empty() -> None:
    assert sorted(["b", None, "a"], key=czech_sort_key) == [None, "a", "b"]


# --------------------------------------------------------------------------- search


@pytest.mark.parametrize(("query", "text"), [
    ("kulk", "KÚ LK"),
    ("KÚ LK", "Odpovědnost: KÚLK / OSV"),
    ("osv", "OSV"),
    ("prubezne", "Průběžně"),
    ("ŘEDITEL", "ředitel kraje"),
    ("socialni sluzby", "Sociální služby"),
])
def test_search_ignores_diacritics_case_and_spaces(query: str, text: str) -> None:
    assert matches(query, [text])


def test_search_does_not_match_other_words() -> None:
    assert not matches("kulk", ["KH LK", "OSV"])
    assert matches("", ["anything"])  # an empty query matches everything
    assert fold("  Č ř Ů  ") == "cru"


# --------------------------------------------------------------------------- plural forms


@pytest.mark.parametrize(("n", "expected"), [
    (1, "K revizi: 1 aktivita"),
    (2, "K revizi: 2 aktivity"),
    (4, "K revizi: 4 aktivity"),
    (5, "K revizi: 5 aktivit"),
    (0, "K revizi: 0 aktivit"),
    (22, "K revizi: 22 aktivit"),  # „22 aktivit“: only 2–4 take the „few“ form
])
def test_czech_plural_forms(i18n_app: Flask, n: int, expected: str) -> None:
    with in_language(i18n_app, "cs"):
        assert ngettext("K revizi: %(num)d aktivita", "K revizi: %(num)d aktivit", n) == expected


@pytest.mark.parametrize(("n", "expected"), [(1, "zbývá 1 den"), (3, "zbývají 3 dny"), (7, "zbývá 7 dní")])
def test_czech_plural_forms_in_a_template(i18n_app: Flask, n: int, expected: str) -> None:
    with in_language(i18n_app, "cs"):
        template = "{{ ngettext('zbývá %(num)d den', 'zbývá %(num)d dní', n) }}"
        assert render_template_string(template, n=n) == expected


@pytest.mark.parametrize(("n", "expected"), [(1, "To check: 1 activity"), (2, "To check: 2 activities"),
                                             (5, "To check: 5 activities")])
def test_english_plural_forms(i18n_app: Flask, n: int, expected: str) -> None:
    with in_language(i18n_app, "en"):
        assert ngettext("K revizi: %(num)d aktivita", "K revizi: %(num)d aktivit", n) == expected


# --------------------------------------------------------------------------- dates and numbers


def test_czech_date_format(i18n_app: Flask) -> None:
    with in_language(i18n_app, "cs"):
        assert czech_date(date(2024, 5, 14)) == "14. 5. 2024"
        assert czech_date(datetime(2024, 12, 1, 10, 30)) == "1. 12. 2024"
        assert czech_date(None) == ""
        assert render_template_string("{{ d|date }}", d=date(2024, 5, 14)) == "14. 5. 2024"


def test_czech_datetime_is_shown_in_prague_time(i18n_app: Flask) -> None:
    with in_language(i18n_app, "cs"):
        # 7:05 UTC in May is 9:05 in Prague (summer time)
        assert czech_datetime(datetime(2024, 5, 14, 7, 5, tzinfo=timezone.utc)) == "14. 5. 2024 9:05"  # noqa: UP017


def test_czech_datetime_matches_babels_pattern_across_the_year(i18n_app: Flask) -> None:
    """The Czech datetime is written directly (issue 17: 50 per queue page); it says what Babel's
    ``d. M. yyyy H:mm`` in the configured zone says: winter and summer time, both switch nights,
    midnight, one-digit hours and minutes, a naive value taken as UTC."""
    from flask_babel import format_datetime

    moments = [datetime(2024, 1, 1, 0, 0, tzinfo=timezone.utc)]  # noqa: UP017
    moments += [datetime(2024, m, d, h, mi, tzinfo=timezone.utc)  # noqa: UP017
                for m in range(1, 13) for d in (1, 15, 28) for h in (0, 1, 9, 22, 23) for mi in (0, 5, 59)]
    moments += [datetime(2024, 3, 31, 0, 59), datetime(2024, 3, 31, 1, 0),  # naive: UTC
                datetime(2024, 10, 27, 0, 59), datetime(2024, 10, 27, 1, 0), datetime(2024, 12, 31, 23, 30)]
    with in_language(i18n_app, "cs"):
        for moment in moments:
            assert czech_datetime(moment) == format_datetime(moment, "d. M. yyyy H:mm"), moment


def test_english_date_format(i18n_app: Flask) -> None:
    with in_language(i18n_app, "en"):
        assert czech_date(date(2024, 5, 14)) == "5/14/24"


def test_czech_numbers_use_a_no_break_space_and_a_decimal_comma(i18n_app: Flask) -> None:
    with in_language(i18n_app, "cs"):
        assert number(1600) == "1\u00a0600"  # Babel's Czech group separator is U+00A0 NO-BREAK SPACE
        assert number(1234567.5) == "1\u00a0234\u00a0567,5"
        assert number(None) == ""
        assert render_template_string("{{ n|number }}", n=1600) == "1\u00a0600"


def test_english_numbers(i18n_app: Flask) -> None:
    with in_language(i18n_app, "en"):
        assert number(1600) == "1,600"


def test_translated_ui_string_and_untranslated_czech_source(i18n_app: Flask) -> None:
    with in_language(i18n_app, "en"):
        assert render_template_string("{{ _('Prohlášení o přístupnosti') }}") == "Accessibility statement"
    with in_language(i18n_app, "cs"):
        assert render_template_string("{{ _('Prohlášení o přístupnosti') }}") == "Prohlášení o přístupnosti"
