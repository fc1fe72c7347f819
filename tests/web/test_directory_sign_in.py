"""Sign-in with the office directory (issue 18) against a real OpenLDAP server: Debian's
``slapd``, started here on loopback with a test tree and a certificate made here (LDAPS and
StartTLS; the certificate is checked).

Without slapd the tests are skipped locally and FAIL in CI (``PLNENI_REQUIRE_SERVICES=1``).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from ldap3 import MODIFY_ADD, MODIFY_DELETE, MODIFY_REPLACE, Connection, Server
from sqlalchemy import select
from support import REQUIRE_SERVICES, login

from web.extensions import db
from web.views.auth import limiter
from workflow.audit import AuditKind
from workflow.bodies import ensure_seed_bodies
from workflow.directory import DirectoryConfig, DirectoryUnavailable, lookup
from workflow.models import AuditEvent, User
from workflow.states import Role

SLAPD = Path("/usr/sbin/slapd")
SCHEMAS = Path("/etc/ldap/schema")
BASE = "dc=kraj-lbc,dc=test"
ROOT_DN = f"cn=admin,{BASE}"
ROOT_PASSWORD = "spravce-adresare-1"
JANA_PASSWORD = "heslo-z-adresare-1"
JANA = "jana.novakova@kraj-lbc.cz"
SECRETARIES = f"cn=plneni-tajemnik,ou=groups,{BASE}"
OSV = f"cn=plneni-osv,ou=groups,{BASE}"
GROUP_ROLES = [
    {"group": SECRETARIES, "role": "secretary"},
    {"group": OSV, "role": "contributor", "body": "OSV"},
]


def _unavailable(reason: str) -> None:
    if REQUIRE_SERVICES:
        pytest.fail(f"PLNENI_REQUIRE_SERVICES=1 but the directory tests cannot run: {reason}")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Slapd:
    """The running test directory."""

    ldaps_url: str
    ldap_url: str
    ca_file: str
    process: subprocess.Popen[bytes]

    def admin(self) -> Connection:
        """A connection bound as the directory's root (to change the test tree)."""
        return Connection(Server(self.ldap_url), ROOT_DN, ROOT_PASSWORD, auto_bind=True)


@pytest.fixture(scope="module")
def slapd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Slapd]:
    if not SLAPD.exists():
        _unavailable(f"{SLAPD} not found (apt-get install slapd)")
    if shutil.which("openssl") is None:
        _unavailable("openssl not found (apt-get install openssl)")
    folder = tmp_path_factory.mktemp("slapd")
    (folder / "db").mkdir()
    cert, key = folder / "server.crt", folder / "server.key"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    conf = folder / "slapd.conf"
    conf.write_text(
        "\n".join(
            [f"include {SCHEMAS / name}.schema" for name in ("core", "cosine", "inetorgperson")]
            + [
                "modulepath /usr/lib/ldap",
                "moduleload back_mdb",
                f"pidfile {folder / 'slapd.pid'}",
                f"TLSCertificateFile {cert}",
                f"TLSCertificateKeyFile {key}",
                "database mdb",
                f'suffix "{BASE}"',
                f'rootdn "{ROOT_DN}"',
                f"rootpw {ROOT_PASSWORD}",
                f"directory {folder / 'db'}",
                "access to attrs=userPassword by anonymous auth by self write by * none",
                "access to * by * read",
                "",
            ]
        ),
        encoding="utf-8",
    )
    ldap_port, ldaps_port = _free_port(), _free_port()
    urls = f"ldap://127.0.0.1:{ldap_port}/ ldaps://127.0.0.1:{ldaps_port}/"
    with (folder / "slapd.log").open("wb") as log:
        process = subprocess.Popen(
            [str(SLAPD), "-f", str(conf), "-h", urls, "-d", "0"], stdout=log, stderr=log
        )
    deadline = time.monotonic() + 20
    while True:
        try:
            with socket.create_connection(("127.0.0.1", ldap_port), timeout=0.5):
                break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail("slapd did not start:\n" + (folder / "slapd.log").read_text(errors="replace"))
            time.sleep(0.1)
    server = Slapd(f"ldaps://127.0.0.1:{ldaps_port}", f"ldap://127.0.0.1:{ldap_port}", str(cert), process)
    admin = server.admin()
    _load_tree(admin)
    admin.unbind()
    yield server
    process.terminate()
    process.wait(timeout=10)


def _load_tree(conn: Connection) -> None:
    conn.add(BASE, ["dcObject", "organization"], {"o": "Liberecký kraj (test)", "dc": "kraj-lbc"})
    for ou in ("people", "groups"):
        conn.add(f"ou={ou},{BASE}", ["organizationalUnit"], {"ou": ou})
    people = {
        "jana": (JANA, "Jana Nováková", {}),
        "petr": ("petr.zakazany@kraj-lbc.cz", "Petr Zakázaný", {"employeeType": "disabled"}),
        "eva": ("eva.bezskupiny@kraj-lbc.cz", "Eva Bez Skupiny", {}),
    }
    for uid, (mail, name, extra) in people.items():
        ok = conn.add(
            f"uid={uid},ou=people,{BASE}",
            ["inetOrgPerson"],
            {
                "uid": uid,
                "cn": name,
                "sn": name.split()[-1],
                "displayName": name,
                "mail": mail,
                "userPassword": JANA_PASSWORD,
                **extra,
            },
        )
        assert ok, conn.result
    for dn, members in ((SECRETARIES, ["jana", "petr"]), (OSV, ["jana", "nikdo"])):  # never empty
        ok = conn.add(dn, ["groupOfNames"], {"member": [f"uid={m},ou=people,{BASE}" for m in members]})
        assert ok, conn.result


@pytest.fixture
def directory(app: Any, slapd: Slapd, monkeypatch: pytest.MonkeyPatch) -> Slapd:
    """The app signs in against the test directory over LDAPS (restored after the test)."""
    settings = {
        "LDAP_URL": slapd.ldaps_url,
        "LDAP_START_TLS": False,
        "LDAP_CA_FILE": slapd.ca_file,
        "LDAP_BASE_DN": BASE,
        # the OpenLDAP equivalent of Active Directory's "account disabled" flag
        "LDAP_USER_FILTER": "(&(objectClass=inetOrgPerson)(mail={login})(!(employeeType=disabled)))",
        "LDAP_GROUP_ROLES": tuple({**row, "body": row.get("body", "")} for row in GROUP_ROLES),
    }
    for key, value in settings.items():
        monkeypatch.setitem(app.config, key, value)
    ensure_seed_bodies()
    db.session.commit()
    limiter.reset()
    yield slapd
    limiter.reset()


def _sign_in(client: Any, email: str, password: str) -> Any:
    return client.post("/prihlaseni", data={"email": email, "password": password})


def _roles(user: User) -> set[str]:
    return {a.role for a in user.role_assignments}


def _audit(kind: AuditKind) -> list[AuditEvent]:
    return db.session.scalars(select(AuditEvent).where(AuditEvent.kind == kind).order_by(AuditEvent.id)).all()


def test_first_sign_in_creates_the_account_from_the_directory(client: Any, directory: Slapd) -> None:
    response = _sign_in(client, JANA, JANA_PASSWORD)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert client.get("/ucet").status_code == 200  # signed in
    user = db.session.scalars(select(User).where(User.email == JANA)).one()
    assert user.auth_source == "directory" and user.name == "Jana Nováková" and user.password_hash is None
    assert _roles(user) == {"secretary", "contributor"} and [b.abbreviation for b in user.bodies] == ["OSV"]
    assert [e.subject_id for e in _audit(AuditKind.sign_in)] == [user.id]
    assert "z adresáře" in _audit(AuditKind.user_created)[0].summary


def test_wrong_password_and_disabled_user_are_refused_and_audited(client: Any, directory: Slapd) -> None:
    page = _sign_in(client, JANA, "úplně-špatné-heslo")
    assert page.status_code == 200 and "Nesprávný e-mail nebo heslo." in page.get_data(as_text=True)
    # petr has the right password and a mapped group, but is disabled in the directory
    page = _sign_in(client, "petr.zakazany@kraj-lbc.cz", JANA_PASSWORD)
    assert "Nesprávný e-mail nebo heslo." in page.get_data(as_text=True)
    assert client.get("/ucet").status_code == 302  # nobody signed in
    assert db.session.scalars(select(User)).all() == []  # no account created for either
    failed = _audit(AuditKind.sign_in_failed)
    assert [e.email for e in failed] == [JANA, "petr.zakazany@kraj-lbc.cz"]


def test_no_mapped_group_is_refused_with_a_reason(client: Any, directory: Slapd) -> None:
    page = _sign_in(client, "eva.bezskupiny@kraj-lbc.cz", JANA_PASSWORD)
    assert "nemá přístup do aplikace Plnění" in page.get_data(as_text=True)
    assert db.session.scalars(select(User)).all() == []


def test_group_change_updates_roles_at_the_next_sign_in(client: Any, directory: Slapd) -> None:
    jana = f"uid=jana,ou=people,{BASE}"
    assert _sign_in(client, JANA, JANA_PASSWORD).status_code == 302
    client.post("/odhlaseni")
    admin = directory.admin()
    try:
        assert admin.modify(SECRETARIES, {"member": [(MODIFY_DELETE, [jana])]})
        assert admin.modify(jana, {"displayName": [(MODIFY_REPLACE, ["Jana Nová"])]})
        assert _sign_in(client, JANA, JANA_PASSWORD).status_code == 302
        user = db.session.scalars(select(User).where(User.email == JANA)).one()
        db.session.refresh(user)
        assert _roles(user) == {"contributor"} and user.name == "Jana Nová"
        assert [e.summary for e in _audit(AuditKind.role_removed)] == ["Tajemník"]
        assert client.get("/kola/nove").status_code == 403  # the secretary's pages are closed now
        client.post("/odhlaseni")

        # removed from the last mapped group: every role and body goes, the sign-in is refused
        assert admin.modify(OSV, {"member": [(MODIFY_DELETE, [jana])]})
        page = _sign_in(client, JANA, JANA_PASSWORD)
        assert "nemá přístup do aplikace Plnění" in page.get_data(as_text=True)
        assert client.get("/ucet").status_code == 302
        db.session.refresh(user)
        assert _roles(user) == set() and user.bodies == []
    finally:
        admin.modify(SECRETARIES, {"member": [(MODIFY_ADD, [jana])]})
        admin.modify(OSV, {"member": [(MODIFY_ADD, [jana])]})
        admin.modify(jana, {"displayName": [(MODIFY_REPLACE, ["Jana Nováková"])]})
        admin.unbind()


def test_start_tls_works_and_the_certificate_is_checked(app: Any, directory: Slapd, tmp_path: Path) -> None:
    config = DirectoryConfig(url=directory.ldap_url, base_dn=BASE, start_tls=True, ca_file=directory.ca_file)
    identity = lookup(config, JANA, JANA_PASSWORD)
    assert identity is not None and identity.email == JANA and SECRETARIES.lower() in identity.groups
    assert lookup(config, JANA, "") is None  # an empty password is never an (anonymous) bind
    # a certificate from a CA we do not trust: refused as unavailable, nothing is sent in clear
    other = tmp_path / "other.crt"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=jiny",
            "-keyout",
            str(tmp_path / "other.key"),
            "-out",
            str(other),
        ],
        check=True,
        capture_output=True,
    )
    with pytest.raises(DirectoryUnavailable):
        lookup(
            DirectoryConfig(url=directory.ldaps_url, base_dn=BASE, ca_file=str(other)), JANA, JANA_PASSWORD
        )
    with pytest.raises(DirectoryUnavailable):  # plain LDAP is never used for passwords
        lookup(DirectoryConfig(url=directory.ldap_url, base_dn=BASE), JANA, JANA_PASSWORD)


def test_directory_down_says_so_and_local_accounts_still_work(
    app: Any, client: Any, directory: Slapd, make_user: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    local = make_user("externista@neziskovka.cz", roles=[Role.contributor])
    monkeypatch.setitem(app.config, "LDAP_URL", f"ldaps://127.0.0.1:{_free_port()}")  # nobody listens
    monkeypatch.setitem(app.config, "LDAP_TIMEOUT", 2)
    page = _sign_in(client, JANA, JANA_PASSWORD)
    assert page.status_code == 200
    assert "Adresář úřadu je teď nedostupný" in page.get_data(as_text=True)
    assert _audit(AuditKind.sign_in_failed)[-1].summary == "adresář nedostupný"
    assert login(client, local).status_code == 302  # the invited local account signs in as always
    assert client.get("/ucet").status_code == 200


def test_local_account_with_a_password_is_never_taken_over(
    client: Any, directory: Slapd, make_user: Any
) -> None:
    local = make_user(JANA, roles=[Role.commission])  # same address as in the directory
    assert _sign_in(client, JANA, JANA_PASSWORD).status_code == 200  # the directory password: no
    assert login(client, local).status_code == 302  # its own password: yes
    db.session.refresh(local)
    assert local.auth_source == "local" and _roles(local) == {"commission"}


def test_directory_sign_ins_are_throttled_like_local_ones(client: Any, directory: Slapd) -> None:
    statuses = [_sign_in(client, JANA, "špatně").status_code for _ in range(5)]
    assert statuses == [200] * 5
    refused = _sign_in(client, JANA, JANA_PASSWORD)  # even the right password, for now
    assert refused.status_code == 429 and "Příliš mnoho neúspěšných pokusů" in refused.get_data(as_text=True)
    assert len(_audit(AuditKind.sign_in_throttled)) == 1


def test_administration_shows_directory_and_local_accounts(
    app: Any, directory: Slapd, make_user: Any
) -> None:
    admin = make_user("spravce@kraj-lbc.cz", roles=[Role.admin])
    assert _sign_in(app.test_client(), JANA, JANA_PASSWORD).status_code == 302
    client = app.test_client()
    login(client, admin)
    jana = db.session.scalars(select(User).where(User.email == JANA)).one()
    listing = client.get("/sprava/uzivatele").get_data(as_text=True)
    assert listing.count("účet z adresáře") == 1
    assert "adresář úřadu" in client.get(f"/sprava/uzivatele/{jana.id}").get_data(as_text=True)
    assert "místní heslo" in client.get(f"/sprava/uzivatele/{admin.id}").get_data(as_text=True)
