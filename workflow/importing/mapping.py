"""Column mapping: which column of a plan table feeds which field of an activity.

The real plan's Czech headers (seed 002, ``data/README.md``: Okruh, Cíl, Číslo, Popis dílčí
aktivity, Indikátor plnění, Termín plnění, Odpovědnost, Dotčená opatření krajské strategie, Plnění,
Spolupráce) and common headers of other plans (seed 001's „Název aktivity“, „Popis aktivity a její
výstupy“, „Doba realizace“) are recognised without configuration, case- and accent-insensitively.
Other tables are mapped explicitly: ``{"Kód": "code", "Název": "title", …}``; a mapping value may
be the English name or the Czech label the web shows. Columns mapped to nothing are kept on the
activity as further attributes (:data:`EXTRA`, „ponechat jako atribut“); :data:`IGNORE` drops a
column, and the preview says so. A workbook's other sheets have a role (:data:`SHEET_ROLES`); the
columns of a level-description sheet are mapped by keys ``"<sheet>!<header>"`` to
:data:`LEVEL_FIELDS`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from workflow.bodies import fold_text

#: Target fields in the order the mapping page offers them, with their Czech labels.
#: ``level1`` … ``level4`` are the plan's levels above the activity (okruh, cíl …), top first.
FIELDS: dict[str, str] = {
    "level1": "1. úroveň (např. okruh)",
    "level2": "2. úroveň (např. cíl)",
    "level3": "3. úroveň (např. opatření)",
    "level4": "4. úroveň",
    "code": "Kód aktivity",
    "title": "Název",
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
    EXTRA: "Ponechat jako atribut",
    IGNORE: "(ignorovat)",
}

#: Roles of a workbook's sheets, with their Czech labels (the preview and the CLI show them).
ACTIVITIES, LEVELS, ABBREVIATIONS, IGNORED = "activities", "levels", "abbreviations", "ignored"
SHEET_ROLES: dict[str, str] = {
    ACTIVITIES: "Aktivity",
    LEVELS: "Popisy úrovní",
    ABBREVIATIONS: "Zkratky",
    IGNORED: "Nepoužít",
}
#: The level fields of the activity sheet, top level first.
LEVEL_COLUMNS = ("level1", "level2", "level3", "level4")
#: Fields a column of a level-description sheet may feed (the code decides the level: a code of
#: one segment is on the top level, of two on the second …), with their Czech labels.
LEVEL_FIELDS: dict[str, str] = {
    "code": "Kód úrovně",
    "title": "Název",
    "description": "Popis",
    "notes": "Komentář",
    "parent": "Nadřazená úroveň",
}
LEVEL_TARGETS: dict[str, str] = {**LEVEL_FIELDS, IGNORE: "(ignorovat)"}
#: Headers of a level-description sheet recognised without a mapping (the real XLSX's „Cíle“).
KNOWN_LEVEL_HEADERS: dict[str, tuple[str, ...]] = {
    "code": ("Kód", "Kód cíle", "Cíl", "Číslo", "Kód úrovně", "Číslo cíle"),
    "title": ("Název", "Název cíle", "Název úrovně"),
    "description": ("Popis", "Popis cíle", "Popis úrovně"),
    "notes": ("Komentář", "Poznámka"),
    "parent": ("Okruh", "Oblast", "Strategický cíl", "Nadřazená úroveň"),
}
#: Separator of a sheet and a header in a mapping key: ``"Specifické cíle!Název"`` (as in a
#: spreadsheet reference); a key without it names a column of the activity sheet.
SHEET_SEPARATOR = "!"
#: Fields without which a table cannot be imported, with the header the real plan uses for them.
REQUIRED: dict[str, str] = {"code": "Číslo", "description": "Popis dílčí aktivity"}

#: Header spellings recognised without a mapping (compared after :func:`normalize_header`).
KNOWN_HEADERS: dict[str, tuple[str, ...]] = {
    "level1": ("Okruh", "Okruh opatření", "Oblast"),
    "level2": ("Cíl", "Kód cíle", "Specifický cíl"),
    "code": (
        "Číslo",
        "Číslo aktivity",
        "Kód",
        "Kód aktivity",
        "Číslo opatření",
        "Kód opatření",
        "Č.",
        "Č",
        "Poř. č.",
    ),
    "title": ("Název", "Název aktivity", "Název opatření", "Název karty"),
    "description": (
        "Popis dílčí aktivity",
        "Popis aktivity",
        "Dílčí aktivita",
        "Popis aktivity a její výstupy",
        "Popis opatření",
    ),
    "indicator": ("Indikátor plnění", "Indikátor", "Indikátory"),
    "deadline": ("Termín plnění", "Termín", "Doba realizace", "Termín realizace"),
    "responsibility": ("Odpovědnost", "Odpovědnost za realizaci", "Gestor", "Zodpovědnost"),
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
_KNOWN_LEVEL = {
    normalize_header(spelling): field
    for field, spellings in KNOWN_LEVEL_HEADERS.items()
    for spelling in spellings
}
# Every spelling of a target a mapping may use: the English name, the Czech label the web shows
# (also without its parenthesis: „Okruh“ for „Okruh (1. úroveň)“) and a few synonyms.
_TARGET_SPELLINGS: dict[str, str] = {}
for _name, _label in [*TARGETS.items(), *LEVEL_FIELDS.items()]:
    for _spelling in (_name, _label, _label.split(" (")[0], _label.strip("()")):
        _TARGET_SPELLINGS.setdefault(normalize_header(_spelling), _name)
_TARGET_SPELLINGS.update(
    {normalize_header(k): v for k, v in {
        "atribut": EXTRA, "ponechat": EXTRA, "doplňující údaj": EXTRA, "ignore": IGNORE, "-": IGNORE,
        "kód": "code", "popis": "description", "cíl": "level2", "okruh": "level1", "oblast": "level1",
        # The names of the two levels before plans had 0–4 (mappings saved then, older CLI habits).
        "area": "level1", "goal": "level2", "okruh (1. úroveň)": "level1", "cíl (2. úroveň)": "level2",
        "1. úroveň": "level1", "2. úroveň": "level2", "3. úroveň": "level3", "4. úroveň": "level4",
        "nadřazený okruh": "parent", "popis / komentář": "description",
    }.items()}
)
_ROLE_SPELLINGS: dict[str, str] = {}
for _name, _label in SHEET_ROLES.items():
    _ROLE_SPELLINGS[normalize_header(_name)] = _name
    _ROLE_SPELLINGS[normalize_header(_label)] = _name
_ROLE_SPELLINGS.update(
    {normalize_header(k): v for k, v in {
        "úrovně": LEVELS, "popis úrovní": LEVELS, "cíle": LEVELS, "ignorovat": IGNORED, "ignore": IGNORED,
        "level descriptions": LEVELS, "ignorován": IGNORED,
    }.items()}
)


def recognise_level_header(header: str) -> str | None:
    """The level field a header of a level-description sheet stands for: ``"Kód cíle"`` → ``"code"``."""
    return _KNOWN_LEVEL.get(normalize_header(header))


def normalize_role(value: str) -> str | None:
    """Canonical sheet role of a mapping value (``"Popisy úrovní"``, ``"levels"``, ``"úrovně"`` →
    ``"levels"``), ``None`` if unknown."""
    return _ROLE_SPELLINGS.get(normalize_header(value))


def split_key(key: str, sheets: list[str]) -> tuple[str | None, str]:
    """A mapping key as ``(sheet, header)``: ``"Cíle!Název"`` → ``("Cíle", "Název")`` when the
    workbook has a sheet „Cíle“; else ``(None, key)`` (a column of the activity sheet)."""
    if SHEET_SEPARATOR in key:
        sheet, header = key.split(SHEET_SEPARATOR, 1)
        folded = {normalize_header(name): name for name in sheets}
        if normalize_header(sheet) in folded:
            return folded[normalize_header(sheet)], header
    return None, key


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
    """Canonical target name of a mapping value, ``None`` if unknown.

    Accepts the English names (``"description"``), the Czech labels the web shows (``"Popis
    aktivity"``, ``"Ponechat jako atribut"``, ``"Okruh (1. úroveň)"`` or ``"Okruh"``), ignoring
    case and accents, and ``"(ignore)"``/``"ignorovat"``/``"-"`` for :data:`IGNORE`.
    """
    key = (value or "").strip().lower()
    if key in _IGNORE_SPELLINGS:
        return IGNORE
    return _TARGET_SPELLINGS.get(normalize_header(value or ""))


def read_mapping(value: str) -> tuple[dict[str, str] | None, dict[str, str] | None]:
    """Read the CLI ``--mapping`` value into ``(columns, sheet roles)``.

    Like :func:`parse_mapping_option`; a JSON file may also hold the form the plan saves,
    ``{"columns": {header: field}, "sheets": {sheet: role}}``.

    :raises ValueError: as :func:`parse_mapping_option` (message in Czech).
    """
    path = Path(value)
    if value.lower().endswith(".json") and path.is_file():
        try:
            data = json.loads(path.read_text(encoding="utf-8-sig"))
        except (OSError, ValueError) as exc:
            raise ValueError(f"Soubor s mapováním „{value}“ nelze přečíst: {exc}") from exc
        if isinstance(data, dict) and isinstance(data.get("columns", data.get("sheets")), dict):
            columns, sheets = data.get("columns") or {}, data.get("sheets") or {}
            if all(isinstance(v, str) for part in (columns, sheets) for v in part.values()):
                return dict(columns) or None, dict(sheets) or None
    return parse_mapping_option(value) or None, None


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
