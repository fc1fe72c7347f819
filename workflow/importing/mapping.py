"""Column mapping: which column of a plan table feeds which field of an activity.

The real plan's Czech headers (seed 002, ``data/README.md``: Okruh, Cíl, Číslo, Popis dílčí
aktivity, Indikátor plnění, Termín plnění, Odpovědnost, Dotčená opatření krajské strategie, Plnění,
Spolupráce) are recognised without configuration, case- and accent-insensitively. Tables of other
plans (e.g. the activity cards of the social-services plan, seed 001) are mapped explicitly:
``{"Číslo aktivity": "code", "Název aktivity": "description", …}``. Columns mapped to nothing are
kept on the activity as extra attributes (:data:`EXTRA`); :data:`IGNORE` drops a column.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from workflow.bodies import fold_text

#: Target fields in the order the mapping page offers them, with their Czech labels.
FIELDS: dict[str, str] = {
    "area": "Okruh (1. úroveň)",
    "goal": "Cíl (2. úroveň)",
    "code": "Kód aktivity",
    "description": "Popis aktivity",
    "indicator": "Indikátor plnění",
    "deadline": "Termín plnění",
    "responsibility": "Odpovědnost",
    "strategy_refs": "Vazba na strategii",
    "fulfilment": "Plnění (text za minulé období)",
    "cooperation": "Spolupráce",
}
#: Keep the column on the activity as an extra attribute (``Activity.extra``).
EXTRA = "extra"
#: Drop the column.
IGNORE = "ignore"
TARGETS: dict[str, str] = {
    **FIELDS,
    EXTRA: "Ponechat jako doplňující údaj",
    IGNORE: "(ignorovat)",
}
#: Fields without which a table cannot be imported, with the header the real plan uses for them.
REQUIRED: dict[str, str] = {"code": "Číslo", "description": "Popis dílčí aktivity"}

#: Header spellings recognised without a mapping (compared after :func:`normalize_header`).
KNOWN_HEADERS: dict[str, tuple[str, ...]] = {
    "area": ("Okruh", "Okruh opatření", "Oblast"),
    "goal": ("Cíl", "Kód cíle", "Specifický cíl"),
    "code": ("Číslo", "Číslo aktivity", "Kód", "Kód aktivity"),
    "description": ("Popis dílčí aktivity", "Popis aktivity", "Dílčí aktivita"),
    "indicator": ("Indikátor plnění", "Indikátor", "Indikátory"),
    "deadline": ("Termín plnění", "Termín"),
    "responsibility": ("Odpovědnost", "Odpovědnost za realizaci", "Gestor"),
    "strategy_refs": ("Dotčená opatření krajské strategie", "Dotčené cíle krajské strategie"),
    "fulfilment": ("Plnění", "Plnění (Komentář)", "Komentář k plnění"),
    "cooperation": ("Spolupráce", "Spolupracující subjekty", "Partneři"),
}

_WHITESPACE = re.compile(r"\s+")
#: Values of a CLI mapping that mean "ignore this column".
_IGNORE_SPELLINGS = {"ignore", "(ignore)", "ignorovat", "(ignorovat)", "-"}
# One ``header=field`` pair: the header may contain commas (never ``=``), the field neither.
_PAIR = r"\s*([^=]*?[^=\s])\s*=\s*([^,=]*?)\s*(?:,|$)"
_MAPPING_PAIR = re.compile(_PAIR)
_MAPPING_TEXT = re.compile(f"(?:{_PAIR})+")


def normalize_header(text: str) -> str:
    """Matching key of a header: folded (no case, no accents), single spaces, no trailing ``:`` or ``*``."""
    return _WHITESPACE.sub(" ", fold_text(text or "")).strip().rstrip(":*").strip()


_KNOWN = {
    normalize_header(spelling): field for field, spellings in KNOWN_HEADERS.items() for spelling in spellings
}


def recognise_header(header: str) -> str | None:
    """The field a header stands for without configuration, or ``None``: ``"ČÍSLO"`` → ``"code"``."""
    return _KNOWN.get(normalize_header(header))


def guess_mapping(headers: list[str]) -> dict[str, str]:
    """Mapping proposed for ``headers``: recognised ones to their field, the rest to :data:`EXTRA`.

    A field is given to the first column that claims it; later ones with the same meaning go to
    :data:`EXTRA`.
    """
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for header in headers:
        field = recognise_header(header)
        if field and field not in used:
            mapping[header] = field
            used.add(field)
        else:
            mapping[header] = EXTRA
    return mapping


def normalize_target(value: str) -> str | None:
    """Canonical target name of a mapping value (``"(ignore)"`` → ``"ignore"``), ``None`` if unknown."""
    key = (value or "").strip().lower()
    if key in _IGNORE_SPELLINGS:
        return IGNORE
    return key if key in TARGETS else None


def parse_mapping_option(value: str) -> dict[str, str]:
    """Read the CLI ``--mapping`` value: ``"Číslo aktivity=code,Název aktivity=description"`` or a JSON file.

    :param value: either pairs ``header=field`` separated by commas (a header may itself contain
        commas, since the field after ``=`` never does), or the path of a ``.json`` file holding an
        object ``{header: field}``.
    :returns: the mapping as given (targets are validated by the import, which names the row).
    :raises ValueError: the text has no ``header=field`` pair or the JSON file is not an object
        of strings (message in Czech).
    """
    path = Path(value)
    if value.lower().endswith(".json") or (path.suffix and path.is_file()):
        try:
            data = json.loads(path.read_text(encoding="utf-8-sig"))
        except (OSError, ValueError) as exc:
            raise ValueError(f"Soubor s mapováním „{value}“ nelze přečíst: {exc}") from exc
        if not isinstance(data, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in data.items()
        ):
            raise ValueError(f'Soubor s mapováním „{value}“ musí obsahovat objekt {{"sloupec": "pole"}}.')
        return dict(data)
    if not _MAPPING_TEXT.fullmatch(value):
        raise ValueError(f"Mapování „{value}“ nemá tvar „Sloupec=pole,Sloupec=pole“.")
    return {header: target for header, target in _MAPPING_PAIR.findall(value)}
