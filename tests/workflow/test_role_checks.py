"""One permission gate: no module but ``workflow/permissions.py`` checks a role.

The source of every package is read as a syntax tree; a *role check* is a call of ``has_role``, or
a comparison or membership test involving ``Role.<name>``. The uses listed in :data:`ALLOWED` are
not decisions about who may do what (data rules, recipient selection, command-line set-up); each
says why. A new role check anywhere else fails this test: ask ``workflow.permissions`` instead
(``require``, ``can``, ``acting_as`` …).
"""

from __future__ import annotations

import ast
from pathlib import Path

from support import PROJECT_ROOT

PACKAGES = ("workflow", "notifications", "web", "forms", "devdata")
GATE = Path("workflow/permissions.py")

#: web/landing.py picks the page a user starts on (navigation, not a permission).
LANDING = "where a user lands after sign-in (navigation)"

#: (file, the check as ``ast.unparse`` writes it) → why it is not a permission check.
ALLOWED: dict[tuple[str, str], str] = {
    ("workflow/accounts/roles.py", "role != Role.reviewer"): "only a reviewer's role has a scope (data rule)",
    ("workflow/accounts/roles.py", "assignment.role == Role.admin"): "the last administrator role stays",
    ("workflow/accounts/roles.py", "a.role == Role.admin"): "the last administrator role stays",
    ("workflow/accounts/roles.py", "sum((1 for a in user.role_assignments if a.role == Role.admin)) == 1"): (
        "the last administrator role stays"
    ),
    ("notifications/recipients.py", "role == Role.head"): "escalations go to the heads (recipient selection)",
    ("web/cli.py", "Role.admin not in user.roles"): "create-admin gives the role once (set-up)",
    ("devdata/largedata.py", "role == Role.reviewer"): "generated data: reviewers get a scope",
    ("web/landing.py", "user.has_role(Role.contributor, Role.head)"): LANDING,
    ("web/landing.py", "user.has_role(Role.secretary)"): LANDING,
    ("web/landing.py", "user.has_role(Role.reviewer)"): LANDING,
    ("web/landing.py", "user.has_role(Role.commission)"): LANDING,
    ("web/landing.py", "user.has_role(Role.admin)"): LANDING,
}


def _mentions_role(node: ast.AST) -> bool:
    return any(
        isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id == "Role"
        for n in ast.walk(node)
    )


def role_checks(path: Path) -> list[tuple[int, str]]:
    """``[(line, source)]`` of the role checks in the Python file ``path``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        func = node.func if isinstance(node, ast.Call) else None
        is_call = isinstance(func, ast.Attribute) and func.attr == "has_role"
        if is_call or (isinstance(node, ast.Compare) and _mentions_role(node)):
            found.append((node.lineno, ast.unparse(node)))
    return found


def test_no_module_but_permissions_checks_a_role():
    offending = []
    for package in PACKAGES:
        for path in sorted((PROJECT_ROOT / package).rglob("*.py")):
            relative = path.relative_to(PROJECT_ROOT)
            if relative == GATE:
                continue
            for line, source in role_checks(path):
                if (relative.as_posix(), source) not in ALLOWED:
                    offending.append(f"{relative}:{line}: {source}")
    assert offending == [], "role checks outside workflow/permissions.py:\n" + "\n".join(offending)


def test_the_scan_finds_each_kind_of_role_check(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "if user.has_role(Role.secretary):\n    pass\n"
        "ok = a.role == Role.admin\n"
        "ok = Role.admin in user.roles\n"
        "users_with_role(Role.reviewer)\n",  # selecting by role is not a check
        encoding="utf-8",
    )
    assert [line for line, _source in role_checks(sample)] == [1, 3, 4]
    assert role_checks(PROJECT_ROOT / GATE)  # the gate itself does check roles


def test_every_allowed_use_is_still_there():
    """A stale entry of :data:`ALLOWED` would let a new check of the same text pass unnoticed."""
    present = {
        (path.relative_to(PROJECT_ROOT).as_posix(), source)
        for package in PACKAGES
        for path in (PROJECT_ROOT / package).rglob("*.py")
        for _line, source in role_checks(path)
    }
    assert set(ALLOWED) - present == set()
