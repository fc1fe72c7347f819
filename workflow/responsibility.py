"""Responsible bodies of an activity ("Odpovědnost"): free text resolved to body abbreviations.

Grammar, inferred in DOMAIN.md §2.2 from the 20 distinct values of seed 002:

- ``,`` separates organisations: ``LK, TUL``;
- within an organisation the first ``/`` separates the organisation from its departments, and
  any further ``/`` or ``+`` separates co-responsible departments: ``KÚ LK / OSV / OŠMTS``,
  ``KÚ LK / OSV + OZ``;
- the first department named is the lead;
- ``LK`` and ``KÚ LK`` (also ``KÚLK``) are the region acting through its office; a row naming
  only the region, or ``jednotlivé odbory`` (all departments), goes to a default body (OSV, the
  strategy's "hlavní garant"; DOMAIN.md §8 item 2).

Names are matched through a lookup from :func:`normalize_alias` keys to body abbreviations, built
with :func:`build_lookup` from the seed registry (:mod:`workflow.bodies_seed`) or from DB rows.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from workflow.bodies_seed import REGION_BODY, SEED_BODIES

_DASHES = re.compile("[\u2010-\u2015\u2212-]")  # hyphens, en/em dashes, minus sign
_SPACED_SEPARATORS = re.compile(r"\s*([/+-])\s*")
_WHITESPACE = re.compile(r"\s+")
_KULK = re.compile(r"\bkúlk\b")
_DEPARTMENT_SEPARATORS = re.compile(r"[/+]")

Lookup = Callable[[str], str | None] | Mapping[str, str]


def normalize_alias(text: str) -> str:
    """Return the matching key of a body name, used both for registry keys and for lookups.

    :param text: a name as written, e.g. ``" KÚLK "`` or ``"MMR ČR – ASZ"``.
    :returns: the text in Unicode NFC, case-folded, with every dash made a hyphen, exactly one
        space around ``/``, ``+`` and ``-``, ``kúlk`` spelled ``kú lk``, whitespace runs collapsed
        and trailing ``,;:`` and spaces removed: ``"KÚLK" -> "kú lk"``,
        ``"MMR ČR–ASZ" -> "mmr čr - asz"``.
    """
    key = _DASHES.sub("-", unicodedata.normalize("NFC", text).casefold())
    key = _KULK.sub("kú lk", _SPACED_SEPARATORS.sub(r" \1 ", key))
    return _WHITESPACE.sub(" ", key).strip(" ,;:")


#: Keys of tokens meaning "all departments of the office" (seed 002 A1.13 and "Spolupráce").
ALL_DEPARTMENTS_ALIASES = frozenset(
    normalize_alias(alias) for alias in ("jednotlivé odbory", "odbory KÚ LK", "všechny odbory")
)


@dataclass(frozen=True)
class Resolution:
    """The bodies an "Odpovědnost" value resolves to.

    :ivar raw: the value as given (``""`` for ``None``).
    :ivar bodies: body abbreviations in source order, lead first, no duplicates; never empty.
    :ivar used_default: ``bodies`` is ``(default_body,)`` because no department was named or
        nothing matched.
    :ivar all_departments: the value said ``jednotlivé odbory`` (all departments).
    :ivar unmatched: tokens that matched no body, in source order (kept for review, never
        dropped silently).
    """

    raw: str
    bodies: tuple[str, ...]
    used_default: bool
    all_departments: bool
    unmatched: tuple[str, ...]

    @property
    def lead(self) -> str:
        """The lead body (gestor): the first of :attr:`bodies`."""
        return self.bodies[0]

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-friendly dict of all fields, tuples as lists."""
        return {
            "raw": self.raw,
            "bodies": list(self.bodies),
            "used_default": self.used_default,
            "all_departments": self.all_departments,
            "unmatched": list(self.unmatched),
        }


def build_lookup(bodies: Iterable[tuple[str, Iterable[str]]]) -> dict[str, str]:
    """Build the alias lookup from ``(abbreviation, aliases)`` pairs.

    :param bodies: each body's abbreviation and its other spellings; include the full name among
        the aliases (the abbreviation is added automatically).
    :returns: ``{normalize_alias(spelling): abbreviation}`` for every spelling.
    :raises ValueError: two bodies share a spelling (after normalisation).
    """
    lookup: dict[str, str] = {}
    for abbreviation, aliases in bodies:
        for spelling in (abbreviation, *aliases):
            key = normalize_alias(spelling)
            if not key:
                continue
            if lookup.setdefault(key, abbreviation) != abbreviation:
                raise ValueError(f"alias {spelling!r} names both {lookup[key]!r} and {abbreviation!r}")
    return lookup


def seed_lookup() -> dict[str, str]:
    """Return :func:`build_lookup` of the seed registry (abbreviation, full name and aliases)."""
    return build_lookup((body["abbreviation"], [body["name"], *body["aliases"]]) for body in SEED_BODIES)


def resolve_responsibility(
    raw: str | None, lookup: Lookup, default_body: str, *, region: str = REGION_BODY
) -> Resolution:
    """Resolve one "Odpovědnost" value (seed 002, DOMAIN.md §2.2) to body abbreviations.

    :param raw: the cell text, e.g. ``"KÚ LK / OSV + OZ"``.
    :param lookup: a mapping or a function from a :func:`normalize_alias` key to a body
        abbreviation (``None``/missing when unknown); see :func:`build_lookup`.
    :param default_body: abbreviation used when the value names no department (``LK``,
        ``KÚ LK``, ``KÚ LK / jednotlivé odbory``) or when nothing matches.
    :param region: abbreviation the lookup gives for the region and its office (``LK``).
    :returns: a :class:`Resolution`. When the region is the organisation, its departments stand
        for it (``KÚ LK / OZ / OSV`` -> ``(OZ, OSV)``); when it is one of several organisations
        and names no department, it is a body of its own (``LK, TUL`` -> ``(LK, TUL)``); when it
        is all there is, ``default_body`` takes its place with ``used_default=True``. Other
        organisations are kept with their departments.

    Raises nothing itself; errors of a ``lookup`` function propagate.
    """
    get = lookup.get if isinstance(lookup, Mapping) else lookup

    def find(token: str) -> str | None:
        return get(normalize_alias(token)) or None

    bodies: list[str] = []
    unmatched: list[str] = []
    all_departments = False
    for organisation in (raw or "").split(","):
        tokens = [token.strip() for token in _DEPARTMENT_SEPARATORS.split(organisation) if token.strip()]
        if not tokens:
            continue
        owner, *departments = tokens
        if normalize_alias(owner) in ALL_DEPARTMENTS_ALIASES:
            all_departments, owner_body = True, region
        elif (owner_body := find(owner)) is None:
            unmatched.append(owner)
        named: list[str] = []
        for token in departments:
            if normalize_alias(token) in ALL_DEPARTMENTS_ALIASES:
                all_departments = True
            elif body := find(token):
                named.append(body)
            else:
                unmatched.append(token)
        if owner_body == region:
            bodies += named or [region]
        else:
            bodies += ([owner_body] if owner_body else []) + named

    unique = tuple(dict.fromkeys(bodies))
    used_default = unique in ((), (region,))
    return Resolution(
        raw=raw or "",
        bodies=(default_body,) if used_default else unique,
        used_default=used_default,
        all_departments=all_departments,
        unmatched=tuple(dict.fromkeys(unmatched)),
    )
