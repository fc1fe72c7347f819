"""Problems found in an imported plan file, each naming its row and column in Czech."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

from workflow.errors import InvalidInput

#: At most this many issues are reported for one file; the rest are summarised in one more issue.
MAX_ISSUES = 50


@dataclass(frozen=True)
class ImportIssue:
    """One problem of a plan file.

    :ivar row: row of the table as a spreadsheet shows it (the header row is usually 1), the line
        of a text file for encoding and syntax errors, or ``None`` when the whole file is meant.
    :ivar column: the column header as written in the file (or the JSON key), or ``None``.
    :ivar message: Czech explanation for the person who uploaded the file.
    :ivar code: machine-readable kind, e.g. ``duplicate_code``, ``missing_header``, ``formula``.
    """

    row: int | None
    column: str | None
    message: str
    code: str

    @property
    def location(self) -> str:
        """``"Řádek 5, sloupec „Číslo“"``, ``"Řádek 5"``, ``"Sloupec „Číslo“"`` or ``""``."""
        parts = []
        if self.row is not None:
            parts.append(_("řádek %(row)s", row=self.row))
        if self.column:
            parts.append(_("sloupec „%(column)s“", column=self.column))
        text = ", ".join(parts)
        return text[:1].upper() + text[1:]

    def __str__(self) -> str:
        return f"{self.location}: {self.message}" if self.location else self.message

    def as_dict(self) -> dict[str, object]:
        """JSON-friendly form (stored in ``PlanImport.report``)."""
        return {"row": self.row, "column": self.column, "message": self.message, "code": self.code}


class PlanImportError(InvalidInput):
    """The file cannot be imported; :attr:`issues` lists every problem found (up to :data:`MAX_ISSUES`).

    Nothing has been written when this is raised by ``preview_import``; after ``commit_import``
    the caller rolls the transaction back.
    """

    def __init__(self, issues: list[ImportIssue]) -> None:
        if not issues:
            raise ValueError("PlanImportError needs at least one issue")
        self.issues = list(issues)
        super().__init__("; ".join(str(issue) for issue in self.issues[:5]), status=422)

    @property
    def codes(self) -> list[str]:
        """The machine codes of the issues, in order."""
        return [issue.code for issue in self.issues]


class IssueCollector:
    """Collects issues up to :data:`MAX_ISSUES` and raises them together."""

    def __init__(self, limit: int = MAX_ISSUES) -> None:
        self.issues: list[ImportIssue] = []
        self.limit = limit
        self.dropped = 0

    def add(self, code: str, message: str, *, row: int | None = None, column: str | None = None) -> None:
        """Record one issue (beyond the limit only counted)."""
        if len(self.issues) < self.limit:
            self.issues.append(ImportIssue(row=row, column=column, message=message, code=code))
        else:
            self.dropped += 1

    def __bool__(self) -> bool:
        return bool(self.issues)

    def raise_if_any(self) -> None:
        """Raise :class:`PlanImportError` with everything collected, if anything was.

        :raises PlanImportError: at least one issue was added.
        """
        if not self.issues:
            return
        issues = list(self.issues)
        if self.dropped:
            issues.append(
                ImportIssue(
                    None,
                    None,
                    _("… a dalších %(count)s chyb (zobrazeno prvních %(shown)s).", count=self.dropped,
                      shown=self.limit),
                    "too_many_issues",
                )
            )
        raise PlanImportError(issues)


def fail(code: str, message: str, *, row: int | None = None, column: str | None = None) -> PlanImportError:
    """Build a :class:`PlanImportError` with a single issue (``raise fail(...)``)."""
    return PlanImportError([ImportIssue(row=row, column=column, message=message, code=code)])
