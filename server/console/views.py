"""The web console under /console: sign-in, sessions, CSRF, role checks, and the small pages.

Server-rendered (Jinja), no front-end build. A session is kept on the server
(server/console/sessions.py); its cookie (HttpOnly, SameSite=Lax, Secure over TLS) holds only a
random id. The session holds the user id, a CSRF token and when it was last used; it ends after
IDLE_MINUTES of inactivity, SESSION_HOURS after sign-in, at sign-out, and when the person's
password or role changes or they are deactivated. Every POST must carry the session's CSRF token.
"""

import hmac
import secrets
import time
from functools import wraps
from pathlib import Path
from urllib.parse import urlparse

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from server.api.access import MANAGE
from server.console.accounts import authenticate, create_link, deactivate, use_link
from server.console.reading import pages
from server.console.sessions import ServerSessions, end_sessions
from server.errors import ApiError
from server.integrations import oidc
from server.integrations.connect import check_request, issue
from server.integrations.oidc import enabled
from server.people.users import create_token
from server.storage import audit, db
from server.storage.models import ROLES, User

HERE = Path(__file__).parent.parent  # the templates and the stylesheet live in server/
console = Blueprint("console", __name__, url_prefix="/console", template_folder=HERE / "templates",
                    static_folder=HERE / "static", static_url_path="/static")
USERS_PAGE = 50


def init_app(app) -> None:
    app.session_interface = ServerSessions()
    app.register_blueprint(console)
    app.register_blueprint(pages)  # /read/<id>: no session needed, the link is signed


@console.before_request
def load_session():
    g.user = None
    user_id = session.get("user")
    if user_id is None:
        return
    idle = time.time() - session.get("seen", 0)
    if idle > 60 * int(current_app.config["IDLE_MINUTES"]):
        session.renew()
        flash("You were signed out after a while without activity. Sign in again.")
        return
    user = db.session().get(User, user_id)
    if user is None or not user.active:
        session.renew()
        return
    g.user = user
    session["seen"] = int(time.time())


@console.before_request
def check_csrf():
    if request.method == "POST":
        sent = request.form.get("csrf_token", "")
        if not sent or not hmac.compare_digest(sent, session.get("csrf", "")):
            abort(400, "This form has expired or did not come from this site. Reload the page "
                  "and try again.")


@console.app_context_processor
def csrf_token():
    def token() -> str:
        if "csrf" not in session:
            session["csrf"] = secrets.token_urlsafe(32)
        return session["csrf"]

    cfg = current_app.config
    return {"csrf_token": token, "roles": ROLES,
            "oidc_name": cfg["OIDC_NAME"] if enabled(cfg) else ""}


def signed_in(*roles: str):
    """The view needs someone signed in, with one of roles if any are named; 403 otherwise."""
    def decorate(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if g.user is None:
                return redirect(url_for("console.login", next=request.full_path))
            if roles and g.user.role not in roles:
                abort(403)
            return view(*args, **kwargs)
        return wrapped
    return decorate


def confirmation(question: str, consequence: str, button: str, back: str):
    """None when the form says the person confirmed; else a page that asks first, carrying the
    same fields. The console runs no script, so a step that changes a lot takes two."""
    if request.form.get("confirm") == "yes":
        return None
    fields = [(k, v) for k, v in request.form.items(multi=True)
              if k not in ("csrf_token", "confirm")]
    return render_template("console/confirm.html", question=question, consequence=consequence,
                           button=button, back=back, action=request.path, fields=fields)


def start_session(user: User, how: str) -> None:
    session.renew()  # a new session id and CSRF token at every sign-in
    session.permanent = False
    session["user"] = user.id
    session["seen"] = int(time.time())
    session["csrf"] = secrets.token_urlsafe(32)
    audit.record(db.session(), user.name, "sign-in", user.name, method=how)
    db.session().commit()


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect to somewhere else."""
    if target and target.startswith("/console") and not urlparse(target).netloc:
        return target
    return url_for("console.home")


@console.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "POST":
        user = authenticate(db.session(), request.form.get("name", ""),
                            request.form.get("password", ""))
        if user is None:
            audit.record(db.session(), "", "sign-in.failed",
                         request.form.get("name", "")[:100], method="password")
            db.session().commit()
            flash("That name and password do not match an active account.")
            return render_template("console/login.html"), 401
        start_session(user, "password")
        return redirect(_safe_next(request.args.get("next")))
    return render_template("console/login.html")


@console.get("/oidc/login")
def oidc_login():
    """Off to the organisation's identity provider; it sends the browser back to oidc_callback."""
    if not oidc.enabled(current_app.config):
        abort(404)
    if "oidc_browser" not in session:
        session["oidc_browser"] = secrets.token_urlsafe(32)
    try:
        return redirect(oidc.begin(current_app.config, db.session(), session["oidc_browser"],
                                   _safe_next(request.args.get("next"))))
    except oidc.SignInError as exc:
        flash(f"Sign-in is not available right now: {exc.message}.")
        return render_template("console/login.html"), exc.status


@console.get("/oidc/callback")
def oidc_callback():
    if not oidc.enabled(current_app.config):
        abort(404)
    try:
        user, next_path = oidc.finish(current_app.config, db.session(),
                                      session.get("oidc_browser", ""), request.args)
    except oidc.SignInError as exc:
        audit.record(db.session(), "", "sign-in.failed", "", method="oidc",
                     reason=exc.message[:200])
        db.session().commit()
        flash(f"You are not signed in: {exc.message}.")
        return render_template("console/login.html"), exc.status
    browser = session["oidc_browser"]
    start_session(user, "oidc")
    session["oidc_browser"] = browser  # so that a replay of this answer is recognised as one
    return redirect(_safe_next(next_path))


@console.route("/connect", methods=["GET", "POST"])
@signed_in()
def connect():
    """The extension asks for a token: the signed-in person agrees, the extension gets a code."""
    try:
        asked = check_request(current_app.config, request.args)
    except ApiError as exc:
        return render_template("console/connect.html", problem=exc.message), 400
    if request.method == "POST":
        return redirect(issue(db.session(), g.user, asked), 303)
    return render_template("console/connect.html", problem="")


@console.get("/login/<token>")
def login_link(token: str):
    user = use_link(db.session(), token)
    if user is None:
        flash("This sign-in link is unknown, used or expired. Ask an admin for a new one.")
        return render_template("console/login.html"), 401
    start_session(user, "link")
    flash("Signed in. Set a password on your page to sign in without a link next time.")
    return redirect(url_for("console.home"))


@console.post("/logout")
def logout():
    if g.user is not None:
        audit.record(db.session(), g.user.name, "sign-out", g.user.name)
        db.session().commit()
    session.renew()  # the row goes: a copy of the cookie opens nothing from now on
    flash("Signed out.")
    return redirect(url_for("console.login"))


@console.get("/")
@signed_in()
def home():
    return redirect(url_for("console.library" if g.user.role in MANAGE else "console.me"))


@console.get("/users")
@signed_in("admin")
def users():
    from sqlalchemy import select

    name = request.args.get("q", "").strip()[:100]
    page = request.args.get("page", "1")
    page = int(page) if page.isdecimal() and 0 < int(page) < 100_000 else 1
    query = select(User).order_by(User.name)
    if name:
        query = query.where(User.name.contains(name))
    people = db.session().scalars(query.offset((page - 1) * USERS_PAGE)
                                  .limit(USERS_PAGE + 1)).all()
    return render_template("console/users.html", people=people[:USERS_PAGE], q=name,
                           page=page, more=len(people) > USERS_PAGE)


@console.post("/users/<int:user_id>")
@signed_in("admin")
def change_user(user_id: int):
    """Change a role, make a sign-in link, issue a token, or deactivate."""
    session_ = db.session()
    person = session_.get(User, user_id)
    if person is None:
        abort(404)
    action = request.form.get("action")
    if action == "role" and request.form.get("role") in ROLES:
        if person.id == g.user.id and request.form["role"] != "admin":
            flash("You cannot take the admin role from yourself.")
        elif person.role != request.form["role"]:
            audit.record(session_, g.user.name, "role.change", person.name,
                         before=person.role, after=request.form["role"])
            person.role = request.form["role"]
            end_sessions(session_, person.id)  # their sessions start again with the new role
            session_.commit()
            flash(f"{person.name} is now {person.role}.")
    elif action == "link":
        link = create_link(session_, person)
        audit.record(session_, g.user.name, "link.create", person.name)
        session_.commit()
        flash(f"One-time sign-in link for {person.name} (valid 24 hours): "
              f"{current_app.config['PUBLIC_URL'].rstrip('/')}/console/login/{link}")
    elif action == "token":
        token = create_token(session_, person, "console")
        audit.record(session_, g.user.name, "token.create", person.name, name="console")
        session_.commit()
        flash(f"New API token for {person.name} (shown once): {token}")
    elif action == "deactivate" and person.id != g.user.id:
        asked = confirmation(f"Deactivate {person.name}?", "They cannot sign in any more and "
                             "their API tokens stop working at once. Their data stays.",
                             f"Deactivate {person.name}", url_for("console.users"))
        if asked:
            return asked
        audit.record(session_, g.user.name, "user.deactivate", person.name)
        deactivate(session_, person)
        flash(f"{person.name} is deactivated; their tokens are revoked.")
    else:
        abort(400, "Unknown action.")
    return redirect(url_for("console.users"))


AUDIT_FAMILIES = (("sign-", "Sign-ins and sign-outs"), ("role.", "Role changes"),
                  ("token.", "API tokens"), ("link.", "Sign-in links"),
                  ("password.", "Passwords"), ("user.", "People"), ("source.", "Sources"),
                  ("scim.", "Provisioning (SCIM)"), ("rule.", "Rules"), ("topic.", "Topics"),
                  ("publish", "Publishing rules"))


@console.get("/audit")
@signed_in("admin")
def audit_trail():
    action = request.args.get("action", "")
    action = action if action in dict(AUDIT_FAMILIES) else ""
    before = request.args.get("before", "")
    before = int(before) if before.isdecimal() and len(before) < 19 else None
    rows = audit.entries(db.session(), action, before, audit.PAGE + 1)
    return render_template("console/audit.html", entries=rows[:audit.PAGE], action=action,
                           families=AUDIT_FAMILIES, more=len(rows) > audit.PAGE)


@console.get("/audit.jsonl")
@signed_in("admin")
def audit_export():
    from flask import Response, stream_with_context

    lines = stream_with_context(audit.export(db.session()))
    return Response(lines, mimetype="application/jsonl", headers={
        "Content-Disposition": 'attachment; filename="jitlearn-audit.jsonl"'})
