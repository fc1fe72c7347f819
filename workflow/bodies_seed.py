"""Seed registry of the real responsible and cooperating bodies (data only, no logic).

Sources: the abbreviation list ("Seznam zkratek") of seed 002 and the master list in DOMAIN.md
§2.1 (built from seeds 001–004); the spellings used in "Odpovědnost" come from DOMAIN.md §2.2 and
the ASZ spellings from §2.1 "Spellings of ASZ". Every alias here is matched after
:func:`workflow.responsibility.normalize_alias`, so case, whitespace and ``KÚLK``/``KÚ LK`` do not
matter; the abbreviation and the full name are aliases too and are not repeated.

Each entry: ``abbreviation`` (unique key), ``name`` (full Czech name), ``kind`` (one of
:data:`BODY_KINDS`), ``parent`` (abbreviation of an entry listed earlier, or ``None``) and
``aliases`` (other spellings). Not bodies, so left out: ``DF LK`` (Dotační fond Libereckého kraje,
a grant instrument), ``jednotlivé odbory`` (a fan-out to all departments, handled by the
responsibility parser).
"""

from __future__ import annotations

from typing import Any

#: Allowed values of ``kind``.
BODY_KINDS = (
    "department", "unit", "region", "state_agency", "municipality", "ngo", "university", "other", "group"
)

#: Abbreviation of the region itself. ``LK`` and ``KÚ LK`` (the regional office) are one body: the
#: region acting through its office (DOMAIN.md §2.2 rule 1).
REGION_BODY = "LK"

#: Body that answers for rows naming no department (``LK``, ``KÚ LK``, ``KÚ LK / jednotlivé
#: odbory``): OSV, the strategy's "hlavní garant" (seed 003; DOMAIN.md §2.2 rule 5, §8 item 2).
DEFAULT_BODY = "OSV"

#: Spellings of the region and its office (seed 002 abbreviation list, DOMAIN.md §2.1).
REGION_ALIASES = ("KÚ LK", "KÚLK", "KÚ", "Krajský úřad Libereckého kraje", "LiK")


def _body(abbreviation: str, name: str, kind: str, parent: str | None, *aliases: str) -> dict[str, Any]:
    return {
        "abbreviation": abbreviation,
        "name": name,
        "kind": kind,
        "parent": parent,
        "aliases": list(aliases),
    }


SEED_BODIES: list[dict[str, Any]] = [
    # The region, and the departments ("odbory") and units ("oddělení") of its office (seed 002).
    _body("LK", "Liberecký kraj", "region", None, *REGION_ALIASES),
    _body("OSV", "Odbor sociálních věcí", "department", "LK", "Odbor sociálních věcí KÚ LK", "OSV KÚ LK"),
    # 002's abbreviation list drops "mládeže"; 003 has the full name.
    _body(
        "OŠMTS",
        "Odbor školství, mládeže, tělovýchovy a sportu",
        "department",
        "LK",
        "Odbor školství, tělovýchovy a sportu",
    ),
    _body("ORREP", "Odbor regionálního rozvoje a evropských projektů", "department", "LK"),
    _body("OZ", "Odbor zdravotnictví", "department", "LK"),
    # In 002's abbreviation list only; never responsible for a row.
    _body("OKPPaCR", "Odbor kultury, památkové péče a cestovního ruchu", "department", "LK"),
    _body("odd. KŘ", "Oddělení krizového řízení", "unit", "LK", "Odd. KŘ", "odd. krizového řízení"),
    # 002 B2.6 writes "vnější" for "vnějších".
    _body(
        "odd. TVV",
        "Oddělení tiskové a vnějších vztahů",
        "unit",
        "LK",
        "odd. tiskové a vnější vztahů",
        "odd. tiskové a vnějších vztahů",
        "Oddělení tiskové a vnější vztahů",
    ),
    # The state. ASZ has been part of MMR since 2020; "ASR MMR" is a typo in 002 C1.1.
    _body("MMR", "Ministerstvo pro místní rozvoj", "state_agency", None, "MMR ČR"),
    _body(
        "ASZ",
        "Agentura pro sociální začleňování",
        "state_agency",
        "MMR",
        "MMR ČR – ASZ",
        "MMR – ASZ",
        "ASZ MMR",
        "ASZ – MMR ČR",
        "Agentura pro sociální začleňování – MMR ČR",
        "Agentura pro sociální začleňování (MMR ČR)",
        "ASR MMR",
    ),
    _body("MPSV", "Ministerstvo práce a sociálních věcí", "state_agency", None),
    _body("MŠMT", "Ministerstvo školství, mládeže a tělovýchovy", "state_agency", None),
    _body("MV", "Ministerstvo vnitra", "state_agency", None, "MV ČR"),
    _body("ÚP ČR", "Úřad práce České republiky", "state_agency", None, "Úřad práce", "Úřad práce ČR"),
    # "Krajský hygienická stanice" is the misspelling in 002's abbreviation list.
    _body(
        "KHS LK",
        "Krajská hygienická stanice Libereckého kraje",
        "state_agency",
        None,
        "KHS",
        "Krajská hygienická stanice",
        "Krajský hygienická stanice",
    ),
    _body(
        "NPI",
        "Národní pedagogický institut České republiky",
        "state_agency",
        None,
        "NPI ČR",
        "Národní pedagogický institut",
        "Národní pedagogický institut ČR",
    ),
    # Regional agency, platforms, municipalities, associations, universities, NGOs.
    _body(
        "ARR LK",
        "Agentura regionálního rozvoje Libereckého kraje",
        "other",
        None,
        "ARR",
        "Agentura regionálního rozvoje",
    ),
    _body(
        "Pakt zaměstnanosti", "Pakt zaměstnanosti Libereckého kraje", "other", None, "Pakt zaměstnanosti LK"
    ),
    _body("SML", "Statutární město Liberec", "municipality", None, "město Liberec"),
    _body("SMO", "Svaz měst a obcí", "other", None),
    _body("TUL", "Technická univerzita v Liberci", "university", None),
    # A category of organisations, not one organisation.
    _body("NNO", "Nestátní neziskové organizace", "ngo", None, "neziskové organizace"),
]
