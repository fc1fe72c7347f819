"""Account services: users, roles, bodies, deputies, the password policy and single-use links —
one submodule per concern, every public name importable from here.

- :mod:`~workflow.accounts.common` — the refusals (:class:`AccountError` …);
- :mod:`~workflow.accounts.users` — e-mail addresses, creating and changing users, body membership;
- :mod:`~workflow.accounts.roles` — role names, adding and removing roles;
- :mod:`~workflow.accounts.deputies` — deputies and whom a user acts for;
- :mod:`~workflow.accounts.passwords` — the password policy;
- :mod:`~workflow.accounts.links` — single-use signed links;
- :mod:`~workflow.accounts.bodies` — administration of bodies;
- :mod:`~workflow.accounts.csv_import` — bulk import of users.

Plain functions that take domain objects and the actor explicitly, write the account audit log
(:mod:`workflow.audit`), flush but never commit. Errors carry a Czech message for the UI.
"""

from workflow.accounts.bodies import save_body
from workflow.accounts.common import AccountError, LinkError, NotActingForBody, WeakPassword
from workflow.accounts.csv_import import USER_CSV_COLUMNS, USER_NAME_LIMIT, UserImportResult, import_users_csv
from workflow.accounts.deputies import (
    DEPUTY_ROLES,
    acting_for,
    add_deputy,
    bodies_of,
    deputies_of,
    principal_for,
    remove_deputy,
    user_for_request,
)
from workflow.accounts.links import LINK_PURPOSES, make_link_token, user_for_link_token
from workflow.accounts.passwords import (
    COMMON_PASSWORDS_FILE,
    CZECH_WORDS_FILE,
    check_password_policy,
    common_passwords,
    is_common_password,
    set_password,
)
from workflow.accounts.roles import (
    ROLE_NAMES,
    ROLE_NAMES_CS,
    add_role,
    describe_assignment,
    parse_role,
    remove_role,
)
from workflow.accounts.users import (
    create_user,
    end_all_sessions,
    find_user_by_email,
    normalize_email,
    set_active,
    set_bodies,
    update_user,
)

__all__ = [
    "COMMON_PASSWORDS_FILE",
    "CZECH_WORDS_FILE",
    "DEPUTY_ROLES",
    "LINK_PURPOSES",
    "ROLE_NAMES",
    "ROLE_NAMES_CS",
    "USER_CSV_COLUMNS",
    "USER_NAME_LIMIT",
    "AccountError",
    "LinkError",
    "NotActingForBody",
    "UserImportResult",
    "WeakPassword",
    "acting_for",
    "add_deputy",
    "add_role",
    "bodies_of",
    "check_password_policy",
    "common_passwords",
    "create_user",
    "deputies_of",
    "describe_assignment",
    "end_all_sessions",
    "find_user_by_email",
    "import_users_csv",
    "is_common_password",
    "make_link_token",
    "normalize_email",
    "parse_role",
    "principal_for",
    "remove_deputy",
    "remove_role",
    "save_body",
    "set_active",
    "set_bodies",
    "set_password",
    "update_user",
    "user_for_link_token",
    "user_for_request",
]
