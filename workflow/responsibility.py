"""Responsible bodies of an activity ("Odpovědnost"): free Czech text resolved to body abbreviations.

The grammar covers the values of seed 002 (DOMAIN.md §2.2, the shipped plan) and the free texts
of seed 001's cards („Odpovědnost za realizaci“), docs/import.md „Odpovědnost a směrování“:

- names are separated by ``,`` ``;`` ``/`` ``+`` and the word ``a``; a separator inside
  parentheses does not split (``SPOD (kraj, obce)``), and a run of pieces that together form a
  known name is kept whole (``Odbor školství, mládeže, tělovýchovy a sportu``);
- ``,``, ``;`` and ``a`` separate *organisations*; within an organisation ``/`` and ``+`` separate
  its departments. When the organisation is the region (``LK``, ``KÚ LK``, ``KÚLK``) its
  departments stand for it (``KÚ LK / OSV + OZ`` → OSV, OZ); a region named with other
  organisations and no department is a body of its own (``LK, TUL`` → LK, TUL);
- ``ve spolupráci s …``, ``spolu s …``, ``za podpory …`` (and ``v součinnosti s …``) introduce
  **cooperating** bodies up to the next ``,`` or ``;``: they are never the lead
  (``LK ve spolupráci s Agenturou pro sociální začleňování (MMR ČR), obce`` → lead region,
  cooperating ASZ, co-responsible obce); ``v rámci …`` is a qualification, not a body;
- the **lead is the first name, and only if it is recognised**: when the first name is not
  recognised the default body stands in and the resolution says why
  (``nerozpoznaný název „…“``); a row naming only the region, or ``jednotlivé odbory``, goes to
  the default body (OSV, the strategy's "hlavní garant"; DOMAIN.md §8 item 2);
- a name a secretary marked „není subjekt“ (:data:`NOT_A_BODY` in the lookup) is skipped as if it
  were not written.

Names are matched by exact key (:func:`normalize_alias`) and, failing that, by their lemmas
(:func:`lemma_key`, the Czech lemmatiser ``simplemma``), so inflected forms such as
„Agenturou pro sociální začleňování“, „obcemi“ or „poskytovateli“ find the body whose spelling is
in the nominative. Lookups come from :func:`build_lookup` (seed registry: :func:`seed_lookup`;
database rows: :func:`workflow.bodies.body_lookup`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import simplemma
from flask_babel import gettext as _

from workflow.bodies_seed import REGION_BODY, SEED_BODIES

_DASHES = re.compile("[\u2010-\u2015\u2212-]")  # hyphens, en/em dashes, minus sign
_SPACED_SEPARATORS = re.compile(r"\s*([/+-])\s*")
_WHITESPACE = re.compile(r"\s+")
_KULK = re.compile(r"\bkúlk\b")
_WORDS = re.compile(r"\w+")

#: Lookup value of a name the secretary marked „není subjekt“ (not a body): skipped in routing.
NOT_A_BODY = "\x00není-subjekt"
#: Prefix of the lemma keys in a lookup (exact keys have none).
LEMMA_PREFIX = "\x00≈"

#: Phrases introducing cooperating bodies (matched case-insensitively on word boundaries).
COOPERATION_MARKERS = (
    "ve spolupráci se",
    "ve spolupráci s",
    "ve spolupráci",
    "v součinnosti se",
    "v součinnosti s",
    "spolu se",
    "spolu s",
    "za podpory",
)
#: Phrases introducing a qualification that names no body (``LK v rámci metodické činnosti obcí``).
NOTE_MARKERS = ("v rámci",)

_MARKER = re.compile(
    r"\s*\b(?P<marker>" + "|".join(re.escape(m) for m in (*COOPERATION_MARKERS, *NOTE_MARKERS)) + r")\b\s*",
    re.IGNORECASE,
)
_SEPARATOR = re.compile(r"\s*([,;/+])\s*|\s+(a)\s+")
#: At most this many pieces are joined when looking for a name that contains separators.
_MAX_JOIN = 6

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


@lru_cache(maxsize=8192)
def _lemma(word: str) -> str:
    return str(simplemma.lemmatize(word, lang="cs")).casefold()


def lemma_key(text: str) -> str:
    """Return the inflection-free key of a name: every word replaced by its Czech lemma.

    Uses ``simplemma`` (Czech data; docs/import.md „Odpovědnost a směrování“). Punctuation and
    parentheses are dropped, so spellings that differ only in them share the key.

    :param text: a name as written, e.g. ``"Agenturou pro sociální začleňování"``.
    :returns: e.g. ``"agentura pro sociální začleňování"``; ``"obcemi"`` → ``"obec"``;
        ``""`` for text without words.
    """
    key = normalize_alias(text)
    return " ".join(_lemma(word) for word in _WORDS.findall(key))


#: Keys of tokens meaning "all departments of the office" (seed 002 A1.13 and "Spolupráce").
ALL_DEPARTMENTS_ALIASES = frozenset(
    normalize_alias(alias) for alias in ("jednotlivé odbory", "odbory KÚ LK", "všechny odbory")
)
_ALL_DEPARTMENTS = "\x00all"


#: Codes of the reasons of a „k revizi“ flag (:class:`Reason`); the texts are in :func:`reason_text`.
REASON_UNRECOGNISED_LEAD = "unrecognised_lead"
REASON_NOT_GIVEN = "not_given"
REASON_ALL_DEPARTMENTS = "all_departments"
REASON_NO_DEPARTMENT = "no_department"
REASON_UNRECOGNISED = "unrecognised"
#: The flag waits for re-resolution: its cause has been resolved since (see
#: :func:`workflow.routing.resolution.review_reasons`).
REASON_RESOLVED = "resolved"
REASON_CODES = (
    REASON_UNRECOGNISED_LEAD,
    REASON_NOT_GIVEN,
    REASON_ALL_DEPARTMENTS,
    REASON_NO_DEPARTMENT,
    REASON_UNRECOGNISED,
    REASON_RESOLVED,
)


@dataclass(frozen=True)
class Reason:
    """One cause of a „k revizi“ flag: a code of :data:`REASON_CODES` and its parameters.

    :ivar code: e.g. :data:`REASON_UNRECOGNISED_LEAD`.
    :ivar name: the unrecognised first name (``unrecognised_lead``).
    :ivar body: the default body's abbreviation that stands in (all but ``unrecognised`` and
        ``resolved``).
    :ivar names: the other unrecognised names (``unrecognised``).
    """

    code: str
    name: str = ""
    body: str = ""
    names: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """``{"code", "text", "name", "body", "names"}`` (JSON-friendly; text in the current locale)."""
        return {
            "code": self.code,
            "text": reason_text(self),
            "name": self.name or None,
            "body": self.body or None,
            "names": list(self.names),
        }


def reason_text(reason: Reason) -> str:
    """The text of one reason in the current locale (Czech, the source language, outside a request).

    The one place of these texts: the flag's reason on every page, in the import preview and in
    the JSON API.

    :param reason: a :class:`Reason`.
    :returns: e.g. ``nerozpoznaný název „obce“; zatím přiděleno výchozímu subjektu OSV``
        (English: ``unrecognised name “obce”; assigned to the default body OSV for now``).
    :raises ValueError: an unknown code.
    """
    if reason.code == REASON_UNRECOGNISED_LEAD:
        return _(
            "nerozpoznaný název „%(name)s“; zatím přiděleno výchozímu subjektu %(body)s",
            name=reason.name,
            body=reason.body,
        )
    if reason.code == REASON_NOT_GIVEN:
        return _("odpovědnost není uvedena; přiděleno výchozímu subjektu %(body)s", body=reason.body)
    if reason.code == REASON_ALL_DEPARTMENTS:
        return _("„jednotlivé odbory“: přiděleno výchozímu subjektu %(body)s", body=reason.body)
    if reason.code == REASON_NO_DEPARTMENT:
        return _("odbor není uveden; přiděleno výchozímu subjektu %(body)s", body=reason.body)
    if reason.code == REASON_UNRECOGNISED:
        quoted = [_("„%(name)s“", name=name) for name in reason.names]
        return _("nerozpoznáno: %(names)s", names=", ".join(quoted))
    if reason.code == REASON_RESOLVED:
        return _("příčina byla mezitím vyřešena; směrování se obnoví na stránce Rozpoznání subjektů")
    raise ValueError(f"unknown routing reason {reason.code!r}")


def reasons_text(reasons: Iterable[Reason]) -> str:
    """The texts of ``reasons`` joined by ``"; "`` (``""`` for none)."""
    return "; ".join(reason_text(reason) for reason in reasons)


@dataclass(frozen=True)
class Resolution:
    """The bodies an "Odpovědnost" value resolves to.

    :ivar raw: the value as given (``""`` for ``None``).
    :ivar bodies: responsible body abbreviations in source order, lead first, no duplicates;
        never empty (the default body stands in when there is no recognised lead).
    :ivar used_default: the routing needs review: the default body stands in for the lead
        (no department named, nothing named, or the first name is not recognised). Stored by the
        importer as ``Activity.routing_needs_review``.
    :ivar all_departments: the value said ``jednotlivé odbory`` (all departments).
    :ivar unmatched: names that matched no body, in source order, responsible and cooperating
        alike (kept for the resolution page, never dropped silently).
    :ivar cooperating: abbreviations of the cooperating bodies („ve spolupráci s …“), never
        among :attr:`bodies`.
    :ivar reasons: why the routing needs review, as codes with parameters (empty when it does
        not); :attr:`reason` is their text in the current locale.
    :ivar ignored: names skipped because a secretary marked them „není subjekt“.
    """

    raw: str
    bodies: tuple[str, ...]
    used_default: bool
    all_departments: bool
    unmatched: tuple[str, ...]
    cooperating: tuple[str, ...] = ()
    reasons: tuple[Reason, ...] = ()
    ignored: tuple[str, ...] = field(default=())

    @property
    def reason(self) -> str:
        """Why the routing needs review, in the current locale (Czech outside a request;
        ``""`` when it does not), e.g. ``nerozpoznaný název „obce“; zatím přiděleno výchozímu
        subjektu OSV``."""
        return reasons_text(self.reasons)

    @property
    def lead_unrecognised(self) -> bool:
        """The first name is not recognised (the default body stands in for it)."""
        return any(r.code == REASON_UNRECOGNISED_LEAD for r in self.reasons)

    @property
    def lead(self) -> str:
        """The lead body (gestor): the first of :attr:`bodies`."""
        return self.bodies[0]

    @property
    def needs_review(self) -> bool:
        """Same as :attr:`used_default`: the activity is flagged „k revizi“ with :attr:`reason`."""
        return self.used_default

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-friendly dict of the routing fields, tuples as lists."""
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
    :returns: ``{normalize_alias(spelling): abbreviation}`` for every spelling, plus
        ``{LEMMA_PREFIX + lemma_key(spelling): abbreviation}`` for inflected forms; a lemma key
        that two bodies share is left out (ambiguous), an exact key never is.
    :raises ValueError: two bodies share a spelling (after normalisation).
    """
    lookup: dict[str, str] = {}
    lemmas: dict[str, str | None] = {}
    for abbreviation, aliases in bodies:
        for spelling in (abbreviation, *aliases):
            key = normalize_alias(spelling)
            if not key:
                continue
            if lookup.setdefault(key, abbreviation) != abbreviation:
                raise ValueError(f"alias {spelling!r} names both {lookup[key]!r} and {abbreviation!r}")
            lemma = lemma_key(spelling)
            if lemma and lemmas.setdefault(lemma, abbreviation) != abbreviation:
                lemmas[lemma] = None
    for lemma, abbreviation in lemmas.items():
        if abbreviation is not None:
            lookup[LEMMA_PREFIX + lemma] = abbreviation
    return lookup


def seed_lookup() -> dict[str, str]:
    """Return :func:`build_lookup` of the seed registry (abbreviation, full name and aliases)."""
    return build_lookup((body["abbreviation"], [body["name"], *body["aliases"]]) for body in SEED_BODIES)


@dataclass
class _Piece:
    text: str
    separator: str  # the separator before it: "" (start), ",", ";", "/", "+", "a"
    cooperating: bool


def _split_top(text: str) -> list[tuple[str, str]]:
    """``[(separator before, piece)]`` split on :data:`_SEPARATOR` outside parentheses."""
    pieces: list[tuple[str, str]] = []
    depth, start, separator, position = 0, 0, "", 0
    while position < len(text):
        char = text[position]
        if char in "([":
            depth += 1
        elif char in ")]":
            depth = max(depth - 1, 0)
        elif depth == 0 and (match := _SEPARATOR.match(text, position)) and match.end() > position:
            pieces.append((separator, text[start:position]))
            separator = match.group(1) or match.group(2)
            start = position = match.end()
            continue
        position += 1
    pieces.append((separator, text[start:]))
    return [(sep, piece.strip()) for sep, piece in pieces]


def _pieces(raw: str) -> list[_Piece]:
    """The names of ``raw`` in order, each with its separator and whether it cooperates."""
    result: list[_Piece] = []
    cooperating = note = False
    for separator, piece in _split_top(_WHITESPACE.sub(" ", raw)):
        if separator in ("", ",", ";"):
            cooperating = note = False
        while piece:
            match = _MARKER.search(piece)
            head = piece[: match.start()] if match else piece
            if head.strip() and not note:
                result.append(_Piece(head.strip(), separator, cooperating))
                separator = "a"
            if match is None:
                break
            marker = match.group("marker").casefold()
            note = note or marker in NOTE_MARKERS
            cooperating = cooperating or not note
            piece = piece[match.end() :]
            separator = "a"
    return result


def resolve_responsibility(
    raw: str | None, lookup: Lookup, default_body: str, *, region: str = REGION_BODY
) -> Resolution:
    """Resolve one "Odpovědnost" value (seeds 001, 002; see the module doc) to body abbreviations.

    :param raw: the cell text, e.g. ``"KÚ LK / OSV + OZ"`` or
        ``"LK ve spolupráci s Agenturou pro sociální začleňování (MMR ČR), obce"``.
    :param lookup: a mapping or a function from a key to a body abbreviation (``None``/missing
        when unknown, :data:`NOT_A_BODY` for a name that is no body); keys are
        :func:`normalize_alias` keys and ``LEMMA_PREFIX + lemma_key`` keys, see
        :func:`build_lookup`.
    :param default_body: abbreviation used when the value names no department (``LK``,
        ``KÚ LK``, ``KÚ LK / jednotlivé odbory``), names nothing, or its first name is not
        recognised.
    :param region: abbreviation the lookup gives for the region and its office (``LK``).
    :returns: a :class:`Resolution` (lead first, cooperating apart, the reasons when the
        routing needs review).

    Raises nothing itself; errors of a ``lookup`` function propagate.
    """
    get = lookup.get if isinstance(lookup, Mapping) else lookup

    def find(name: str) -> str | None:
        key = normalize_alias(name)
        if key in ALL_DEPARTMENTS_ALIASES:
            return _ALL_DEPARTMENTS
        found = get(key) or None
        if found is None and (lemma := lemma_key(name)):
            found = get(LEMMA_PREFIX + lemma) or None
        return found

    pieces = _pieces(raw or "")
    # Longest run of pieces (same role) that forms a known name; otherwise one piece.
    names: list[tuple[_Piece, str | None]] = []
    index = 0
    while index < len(pieces):
        found: tuple[int, str] | None = None
        for end in range(min(len(pieces), index + _MAX_JOIN), index + 1, -1):
            run = pieces[index:end]
            if any(p.cooperating != run[0].cooperating or p.separator in ("/", "+") for p in run[1:]):
                continue
            text = run[0].text
            for p in run[1:]:
                text += (" a " if p.separator == "a" else f"{p.separator} ") + p.text
            if (body := find(text)) is not None:
                found = (end, body)
                break
        if found is None:
            names.append((pieces[index], find(pieces[index].text)))
            index += 1
        else:
            names.append((pieces[index], found[1]))
            index = found[0]

    responsible: list[list[tuple[str, str | None]]] = []  # organisations: [(name, body)]
    cooperating: list[str] = []
    unmatched: list[str] = []
    ignored: list[str] = []
    all_departments = False
    for piece, body in names:
        if body == NOT_A_BODY:
            ignored.append(piece.text)
            continue
        if body is None:
            unmatched.append(piece.text)
        if piece.cooperating:
            if body not in (None, _ALL_DEPARTMENTS):
                cooperating.append(body)
            continue
        if body == _ALL_DEPARTMENTS:
            all_departments = True
        if piece.separator in ("/", "+") and responsible:
            responsible[-1].append((piece.text, body))
        else:
            responsible.append([(piece.text, body)])

    bodies: list[str | None] = []
    first_name: tuple[str, str | None] | None = None
    for organisation in responsible:
        (owner_name, owner), *departments = organisation
        if owner in (region, _ALL_DEPARTMENTS) and departments:
            named = [(n, b) for n, b in departments if b != _ALL_DEPARTMENTS]
            if owner == _ALL_DEPARTMENTS or not named:
                named = [(owner_name, region)]
        else:
            named = [(owner_name, region if owner == _ALL_DEPARTMENTS else owner), *departments]
            named = [(n, region if b == _ALL_DEPARTMENTS else b) for n, b in named]
        if first_name is None and named:
            first_name = named[0]
        bodies += [b for _, b in named]

    unique = tuple(dict.fromkeys(b for b in bodies if b is not None))
    cooperating_unique = tuple(b for b in dict.fromkeys(cooperating) if b not in unique)
    lead_unrecognised = first_name is not None and first_name[1] is None
    reasons: list[Reason] = []
    if lead_unrecognised:
        assert first_name is not None
        chosen = (default_body, *(b for b in unique if b != default_body and b != region))
        reasons.append(Reason(REASON_UNRECOGNISED_LEAD, name=first_name[0], body=default_body))
    elif unique in ((), (region,)):
        chosen = (default_body,)
        if not responsible:
            reasons.append(Reason(REASON_NOT_GIVEN, body=default_body))
        elif all_departments:
            reasons.append(Reason(REASON_ALL_DEPARTMENTS, body=default_body))
        else:
            reasons.append(Reason(REASON_NO_DEPARTMENT, body=default_body))
        other = [n for n in unmatched if first_name is None or n != first_name[0]]
        if other:
            reasons.append(Reason(REASON_UNRECOGNISED, names=tuple(dict.fromkeys(other))))
    else:
        chosen = unique
    used_default = bool(reasons)
    return Resolution(
        raw=raw or "",
        bodies=chosen,
        used_default=used_default,
        all_departments=all_departments,
        unmatched=tuple(dict.fromkeys(unmatched)),
        cooperating=tuple(b for b in cooperating_unique if b not in chosen),
        reasons=tuple(reasons),
        ignored=tuple(dict.fromkeys(ignored)),
    )
