"""Sign-in, sign-out, password reset, invitations, and the request guards of the whole app.

:func:`init_security` installs, for every request:

* **bearer tokens** – a request with ``Authorization: Bearer …`` is authenticated by that token
  only (never by the session cookie), and only such a request skips the CSRF check;
* **CSRF** – every other unsafe request (POST/PUT/PATCH/DELETE, htmx included: ``X-CSRFToken``)
  must carry a valid token (Flask-WTF), whatever blueprint it goes to;
* **idle timeout** – a session idle longer than ``IDLE_TIMEOUT_HOURS`` is signed out;
* **throttling** – Flask-Limiter (:data:`limiter`): failed sign-ins are counted per e-mail address
  and per IP address (``LOGIN_LIMIT_PER_ACCOUNT``/``LOGIN_LIMIT_PER_IP``); the first limit slows
  an attacker down, the second refuses further attempts for up to an hour.
"""

from __future__ import annotations

import time
import unicodedata
from datetime import UTC, datetime
from typing import Any

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import format_time
from flask_babel import gettext as _
from flask_limiter import Limiter, RateLimitExceeded, RequestLimit
from flask_limiter.util import get_remote_address
from flask_login import AnonymousUserMixin, current_user, login_required, logout_user

from forms.auth import ForgotPasswordForm, LoginForm, SetPasswordForm
from web.body_limits import apply_body_limit
from web.converters import query_has_nul
from web.extensions import csrf
from web.landing import landing_url as role_landing
from web.ldap_auth import credentials
from web.redirects import safe_next
from web.sessions import (
    LAST_SEEN_KEY,
    client_ip,
    end_browser_session,
    sign_out,
    start_session,
    user_of_session,
)
from web.uow import confirm, fail, lasting
from workflow.accounts import LinkError, WeakPassword, find_user_by_email, set_password, user_for_link_token
from workflow.audit import AuditKind, record
from workflow.directory import DirectoryRefused, DirectoryUnavailable
from workflow.models import User
from workflow.tokens import token_for_bearer_secret

bp = Blueprint("auth", __name__)

#: Throttling (Flask-Limiter). Storage: ``RATELIMIT_STORAGE_URI`` (Redis when ``REDIS_URL`` is set,
#: else memory); a moving window, so a burst at a window's edge does not double the allowance.
limiter = Limiter(key_func=get_remote_address, strategy="moving-window")

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
#: Password-reset requests per address and per IP (e-mail bombing guard).
RESET_LIMIT_PER_ACCOUNT = "3 per 10 minutes;10 per day"
RESET_LIMIT_PER_IP = "30 per hour"


# ------------------------------------------------------------------------------ request guards


def init_security(app: Flask) -> None:
    """Install throttling, the bearer/CSRF gate and the idle timeout on ``app``."""
    limiter.init_app(app)
    app.before_request(_security_gate)
    app.register_error_handler(RateLimitExceeded, _rate_limited)


def _rate_limited(exc: RateLimitExceeded) -> ResponseReturnValue:
    """The page prepared by the limit's ``on_breach`` (a clear Czech message), else the 429 page."""
    if exc.response is not None:
        return exc.response
    if request.path.startswith("/api/"):
        return jsonify(error=_("Příliš mnoho požadavků. Zkuste to prosím za chvíli."), status=429), 429
    return render_template("errors/error.html", code=429), 429


def _bearer_secret() -> str | None:
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip()
    return None


def _security_gate() -> ResponseReturnValue | None:
    """Bearer authentication, CSRF and the idle timeout, in this order (see the module docstring)."""
    if request.endpoint == "static":
        return None
    apply_body_limit()  # before the CSRF check reads the body
    if query_has_nul():
        abort(400)
    # ``g`` belongs to the app context, which is new for every request in production; a test that
    # pushes one app context for several requests would otherwise carry the previous request's
    # user over. Who is signed in is decided afresh for each request.
    for key in ("_login_user", "api_token_auth", "login_failed"):
        g.pop(key, None)
    secret = _bearer_secret()
    if secret is not None and request.path.startswith("/api/"):
        # Authenticated by the token alone: a cookie sent along is ignored, so it cannot ride on
        # the CSRF exemption. An invalid token leaves the request anonymous.
        ip = client_ip()
        # last_used_at and the audit event stand even when the request is then refused
        token = lasting(lambda: token_for_bearer_secret(secret, ip=ip))
        if token is None:
            g._login_user = AnonymousUserMixin()
            return None
        if token.scope != "write" and request.method not in SAFE_METHODS:
            return jsonify(error=_("Tento API token smí jen číst. Pro zápis je potřeba token s povoleným "
                                   "zápisem."), status=403), 403
        g.api_token_auth = True
        g._login_user = token.user
        return None
    if secret is not None:
        # A token is no credential for the HTML pages: anonymous there, and CSRF applies.
        g._login_user = AnonymousUserMixin()
    # Deliberately no exemption by view or blueprint (``csrf.exempt``): only bearer calls skip it.
    if current_app.config.get("WTF_CSRF_ENABLED", True) and request.method not in SAFE_METHODS:
        csrf.protect()
    return _enforce_idle_timeout()


def _enforce_idle_timeout() -> ResponseReturnValue | None:
    if "_user_id" not in session:
        return None
    now = time.time()
    last_seen = session.get(LAST_SEEN_KEY)
    limit = float(current_app.config["IDLE_TIMEOUT_HOURS"]) * 3600
    if isinstance(last_seen, int | float) and now - last_seen > limit:
        user = user_of_session()
        if user is not None:
            ip = client_ip()
            lasting(lambda: record(AuditKind.session_expired, actor=user, subject=user, ip=ip))
        end_browser_session()  # the remember cookie goes too
        flash(_("Byli jste odhlášeni po delší nečinnosti. Přihlaste se prosím znovu."), "info")
        if request.path.startswith("/api/"):
            return None  # the API answers 401 itself
        if request.method in SAFE_METHODS:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return redirect(url_for("auth.login"))
    if not isinstance(last_seen, int | float) or now - last_seen >= 60:
        session[LAST_SEEN_KEY] = int(now)  # at most once a minute, so most responses set no cookie
    return None


# ------------------------------------------------------------------------------------ helpers


def landing_url(user: User) -> str:
    """Where a user lands after sign-in without ``next``: their work (:func:`web.landing.landing_url`)."""
    return role_landing(user)


def sign_in_address(raw: str | None) -> str:
    """The address typed into the sign-in or reset form as both the lookup and the per-account
    limit use it: control and format characters (``\x01``, DEL, zero-width) removed, surrounding
    space stripped, lower-cased. One normalisation, so an invisible character cannot buy another
    account's allowance of attempts."""
    return "".join(ch for ch in (raw or "") if unicodedata.category(ch)[0] != "C").strip().lower()


def _has_invisible_characters(raw: str | None) -> bool:
    """True when ``raw`` holds a control or format character (refused in sign-in input)."""
    return any(unicodedata.category(ch)[0] == "C" for ch in raw or "")


def _account_key() -> str:
    return "account:" + sign_in_address(request.form.get("email"))


def _login_failed(response: Response) -> bool:
    return bool(g.get("login_failed"))


def _wait_text(limit: RequestLimit) -> str:
    """The local time from which another attempt is possible, e.g. ``"9:42:15"``."""
    return format_time(datetime.fromtimestamp(limit.reset_at + 1, UTC), "H:mm:ss")


def _login_throttled(limit: RequestLimit) -> Response:
    """The sign-in page with a clear Czech message and status 429 (nothing else is revealed)."""
    email = sign_in_address(request.form.get("email"))
    ip = client_ip()
    lasting(lambda: record(AuditKind.sign_in_throttled, subject=find_user_by_email(email) if email else None,
                           email=email, ip=ip, summary=str(limit.limit)))
    form = LoginForm()
    message = _(
        "Příliš mnoho neúspěšných pokusů o přihlášení. Z bezpečnostních důvodů je další pokus "
        "možný až v %(wait)s. Pokud heslo nevíte, použijte „Zapomenuté heslo“.",
        wait=_wait_text(limit),
    )
    html = render_template("auth/login.html", form=form, throttled=message)
    return Response(html, status=429, mimetype="text/html")


def _reset_throttled(limit: RequestLimit) -> Response:
    form = ForgotPasswordForm()
    message = _("Žádostí o obnovení hesla bylo příliš mnoho. Zkuste to prosím znovu v %(wait)s.",
                wait=_wait_text(limit))
    html = render_template("auth/forgot_password.html", form=form, throttled=message)
    return Response(html, status=429, mimetype="text/html")


def _limit(name: str) -> Any:
    return lambda: current_app.config[name]


# ------------------------------------------------------------------------------------- routes


@bp.route("/prihlaseni", methods=["GET", "POST"])
@limiter.limit(_limit("LOGIN_LIMIT_PER_IP"), methods=["POST"], deduct_when=_login_failed,
               on_breach=_login_throttled, scope="login-ip")
@limiter.limit(_limit("LOGIN_LIMIT_PER_ACCOUNT"), key_func=_account_key, methods=["POST"],
               deduct_when=_login_failed, on_breach=_login_throttled, scope="login-account")
def login() -> ResponseReturnValue:
    """Sign-in page; the session is renewed on success; failures are throttled and logged."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if request.method == "POST" and _has_invisible_characters(request.form.get("email")):
        form.email.errors = [_("Adresa obsahuje neviditelné řídicí znaky. Napište ji prosím znovu.")]
        g.login_failed = True  # counted against the address without them
        return render_template("auth/login.html", form=form)
    if form.validate_on_submit():
        email = sign_in_address(form.email.data)
        try:  # the office directory or the local password (web.ldap_auth, issue 18)
            user, password_ok = credentials(email, form.password.data or "", client_ip())
        except (DirectoryUnavailable, DirectoryRefused) as exc:
            g.login_failed = isinstance(exc, DirectoryRefused)
            record(AuditKind.sign_in_failed, subject=getattr(exc, "user", None), email=email, ip=client_ip(),
                   summary=getattr(exc, "summary", "adresář nedostupný"))
            flash(str(exc.message), "danger")  # the unit of work commits the audit (and role changes)
            return render_template("auth/login.html", form=form)
        if user is not None and password_ok and user.active:
            start_session(user, remember=bool(form.remember.data))
            confirm(_("Jste přihlášeni."))
            return redirect(safe_next(request.args.get("next")) or landing_url(user))
        g.login_failed = True
        record(AuditKind.sign_in_failed, subject=user, email=email, ip=client_ip(),
               summary="účet deaktivován" if user is not None and password_ok else "")
        if user is not None and password_ok:
            flash(_("Váš účet je deaktivován. Obraťte se prosím na správce."), "danger")
        else:
            flash(_("Nesprávný e-mail nebo heslo."), "danger")
    elif request.method == "POST":
        g.login_failed = True
    return render_template("auth/login.html", form=form)


@bp.post("/odhlaseni")
@login_required
def logout() -> ResponseReturnValue:
    """Sign out (POST with CSRF token, so a link on another site cannot sign anyone out)."""
    sign_out(current_user._get_current_object())  # every session and remember cookie of the user
    confirm(_("Byli jste odhlášeni."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/zapomenute-heslo", methods=["GET", "POST"])
@limiter.limit(RESET_LIMIT_PER_IP, methods=["POST"], on_breach=_reset_throttled, scope="reset-ip")
@limiter.limit(RESET_LIMIT_PER_ACCOUNT, key_func=_account_key, methods=["POST"], on_breach=_reset_throttled,
               scope="reset-account")
def forgot_password() -> ResponseReturnValue:
    """Ask for a reset link; the answer is the same whether or not the address has an account."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        email = sign_in_address(form.email.data)
        user = find_user_by_email(email)
        if user is not None and user.active:
            from notifications import send_password_reset

            send_password_reset(user, ip=client_ip())
        else:  # the same work for an unknown address: one audit row
            record(AuditKind.password_reset_requested, email=email, ip=client_ip(),
                   summary="adresa bez aktivního účtu")
        confirm(
            _("Pokud je adresa %(email)s v aplikaci registrována, poslali jsme na ni odkaz pro nastavení "
              "nového hesla. Odkaz platí %(minutes)d minut.", email=(form.email.data or "").strip(),
              minutes=int(current_app.config["PASSWORD_RESET_LINK_MINUTES"])),
            "info",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form)


def _link_refused(error: LinkError, purpose: str) -> ResponseReturnValue:
    status = 410 if error.reason in ("expired", "used") else 400
    return render_template("auth/link_invalid.html", error=error, purpose=purpose,
                           form=ForgotPasswordForm()), status


def _set_password_page(token: str, purpose: str) -> ResponseReturnValue:
    config = current_app.config
    max_age = (
        int(config["INVITATION_LINK_HOURS"]) * 3600
        if purpose == "invitation"
        else int(config["PASSWORD_RESET_LINK_MINUTES"]) * 60
    )
    try:
        user = user_for_link_token(token, purpose, config["SECRET_KEY"], max_age)
    except LinkError as error:
        return _link_refused(error, purpose)
    form = SetPasswordForm()
    if form.validate_on_submit():
        kind = AuditKind.invitation_accepted if purpose == "invitation" else AuditKind.password_reset
        try:
            set_password(user, form.password.data or "", actor=user, kind=kind, ip=client_ip())
        except WeakPassword as exc:  # shown at the field; nothing of the request is kept
            fail()
            form.password.errors = [*form.password.errors, exc.message]
        else:
            if current_user.is_authenticated:
                logout_user()
            start_session(user)
            if purpose == "invitation":
                confirm(_("Vítejte! Heslo je nastaveno a jste přihlášeni."))
            else:
                confirm(_("Nové heslo je nastaveno a jste přihlášeni."))
            return redirect(landing_url(user))
    return render_template("auth/set_password.html", form=form, user=user, purpose=purpose)


@bp.route("/obnova-hesla/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> ResponseReturnValue:
    """Set a new password through a single-use, expiring link from the reset e-mail."""
    return _set_password_page(token, "password-reset")


@bp.route("/pozvanka/<token>", methods=["GET", "POST"])
def accept_invitation(token: str) -> ResponseReturnValue:
    """Choose a password through the invitation link; signs the newcomer in and shows their body."""
    return _set_password_page(token, "invitation")
