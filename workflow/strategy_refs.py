"""Strategy references of an activity ("Dotčená opatření krajské strategie").

Syntax (seed 002, DOMAIN.md §3.3): ``<Roman measure> / <comma-separated goal numbers>``, e.g.
``X / 1, 2, 5, 8, 11, 12`` = measure X of the regional strategy (seed 003), goals 1, 2, 5, 8, 11
and 12. The source also has a dot used as a comma (``VII / 3, 4. 5, 6``), measures only
(``XII.``, ``III, VI., XI``), goals only (``3, 4, 5, 6, 7, 8, 9, 11, 12, 13``) and blanks.
The strategy has measures I–XIII and goals 1–13 (seed 003, DOMAIN.md §1.2).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

#: Measure numerals of the strategy, I..XIII (seed 003).
MEASURES: tuple[str, ...] = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII")
#: Highest goal number of the strategy (goals are 1..13, seed 003).
MAX_GOAL = 13

_TOKEN_SEPARATORS = re.compile(r"[\s,.;/]+")


@dataclass(frozen=True)
class StrategyRefs:
    """The measures and goals an activity refers to.

    :ivar raw: the cell text as given (``""`` for a missing cell).
    :ivar measures: Roman numerals I..XIII, upper case, in source order, without duplicates.
    :ivar goals: goal numbers 1..13 in source order, without duplicates.
    :ivar unparsed: tokens that are neither a valid measure nor a valid goal (a validator shows
        them; they are not guessed at).
    """

    raw: str
    measures: tuple[str, ...]
    goals: tuple[int, ...]
    unparsed: tuple[str, ...] = ()

    @property
    def measure(self) -> str | None:
        """The first measure, or ``None`` when the cell names none."""
        return self.measures[0] if self.measures else None

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-friendly dict with keys ``raw``, ``measure``, ``measures`` and ``goals``."""
        return {
            "raw": self.raw,
            "measure": self.measure,
            "measures": list(self.measures),
            "goals": list(self.goals),
        }


def _tokens(text: str) -> list[str]:
    return [token for token in _TOKEN_SEPARATORS.split(text) if token]


def parse_strategy_refs(raw: str | None) -> StrategyRefs:
    """Parse one "Dotčená opatření krajské strategie" cell.

    :param raw: the cell text (seed 002) or ``None``/blank for an empty cell.
    :returns: :class:`StrategyRefs`. Before the first ``/`` only measures are expected and after
        it only goals; without a ``/`` each token is read as whichever it is. Commas, dots,
        semicolons and whitespace all separate tokens. Measures are case-insensitive. A token
        that is not a measure I..XIII or a goal 1..13 where one is expected goes to ``unparsed``.

    Never raises.
    """
    text = raw or ""
    head, slash, tail = text.partition("/")
    head_expects = "measure" if slash else "any"
    wanted = [(token, head_expects) for token in _tokens(head)] + [(token, "goal") for token in _tokens(tail)]

    measures: list[str] = []
    goals: list[int] = []
    unparsed: list[str] = []
    for token, expected in wanted:
        if expected != "goal" and token.upper() in MEASURES:
            measures.append(token.upper())
        elif expected != "measure" and token.isdecimal() and 1 <= int(token) <= MAX_GOAL:
            goals.append(int(token))
        else:
            unparsed.append(token)
    return StrategyRefs(
        raw=text,
        measures=tuple(dict.fromkeys(measures)),
        goals=tuple(dict.fromkeys(goals)),
        unparsed=tuple(unparsed),
    )
