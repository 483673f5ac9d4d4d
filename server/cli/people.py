"""People from the shell: `jitlearn users ...`, `jitlearn tokens ...`, `jitlearn audit export`."""

import sys

import click

from server.cli.base import command_app, fail, main
from server.storage import audit, db
from server.storage.models import ROLES


@main.group()
def users():
    """Add and list users."""


@users.command("add")
@click.argument("name")
@click.option("--role", default="employee", show_default=True,
              type=click.Choice(ROLES))
@click.option("--email", default=None)
@click.option("--groups", default="", help="Audience groups, comma-separated: finance,managers.")
@click.option("--manager", default=None, help="The user NAME reports to (an existing user).")
def users_add(name, role, email, groups, manager):
    """Add a user NAME."""
    from server.people.users import add_user, find_user

    with command_app().app_context():
        boss = find_user(db.session(), manager) if manager else None
        user = add_user(db.session(), name, role, email, groups.split(","),
                        manager=boss)
        audit.record(db.session(), "cli", "user.add", user.name, role=user.role)
        db.session().commit()
        click.echo(f"added {user.name} ({user.role})")
        click.echo(f"one-time sign-in link for the console: {_link(user)}", err=True)


def _link(user) -> str:
    from flask import current_app

    from server.console.accounts import create_link

    token = create_link(db.session(), user)
    return f"{current_app.config['PUBLIC_URL'].rstrip('/')}/console/login/{token}"


@users.command("delete")
@click.argument("name")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def users_delete(name, yes):
    """Delete NAME and everything stored about them (when someone leaves and asks for it)."""
    from server.console.accounts import delete
    from server.people.users import find_user

    with command_app().app_context():
        user = find_user(db.session(), name)
        if not yes:
            click.confirm(f"Delete {name} and everything stored about them? This cannot be "
                          "undone", abort=True)
        audit.record(db.session(), "cli", "user.delete", name)
        delete(db.session(), user)
        click.echo(f"deleted {name} and everything stored about them")


@users.command("link")
@click.argument("name")
@click.option("--subject", default=None,
              help="Link NAME to this identity at the OIDC provider (its 'sub') instead.")
@click.option("--issuer", default=None, help="The provider (default: JITLEARN_OIDC_ISSUER).")
def users_link(name, subject, issuer):
    """Print a one-time sign-in link for NAME (valid 24 hours), or with --subject link NAME to
    the provider identity that may sign in as them."""
    from flask import current_app
    from sqlalchemy import select

    from server.integrations.oidc import subject_of
    from server.people.users import find_user
    from server.storage.models import User

    with command_app().app_context():
        user = find_user(db.session(), name)
        if not user.active:
            fail(f"{name} is deactivated")
        if subject is None:
            click.echo(_link(user))
            return
        issuer = issuer or current_app.config["OIDC_ISSUER"]
        if not issuer or not subject.strip():
            fail("give --issuer (or set JITLEARN_OIDC_ISSUER) and a non-empty --subject")
        linked = subject_of(issuer, subject.strip())
        other = db.session().scalar(select(User).where(User.oidc_subject == linked))
        if other is not None and other.id != user.id:
            fail(f"that identity is already linked to {other.name}")
        user.oidc_subject = linked
        audit.record(db.session(), "cli", "user.link", name, issuer=issuer,
                     subject=subject.strip())
        db.session().commit()
        click.echo(f"{name} now signs in as {subject.strip()} at {issuer}")


@users.command("password")
@click.argument("name")
@click.password_option(help="The new password (asked for when not given).")
def users_password(name, password):
    """Set NAME's console password (12 characters or more)."""
    from server.console.accounts import set_password
    from server.people.users import find_user

    with command_app().app_context():
        set_password(db.session(), find_user(db.session(), name), password)
        audit.record(db.session(), "cli", "password.change", name)
        db.session().commit()
        click.echo(f"password set for {name}")


@users.command("manager")
@click.argument("name")
@click.argument("manager")
def users_manager(name, manager):
    """Make NAME report to MANAGER ("-" for nobody)."""
    from server.people.users import find_user, set_manager

    with command_app().app_context():
        session = db.session()
        boss = None if manager == "-" else find_user(session, manager)
        set_manager(session, find_user(session, name), boss)
        click.echo(f"{name} reports to {manager if boss else 'nobody'}")


@users.command("list")
def users_list():
    """List users."""
    from sqlalchemy import select

    from server.storage.models import User

    with command_app().app_context():
        for user in db.session().scalars(select(User).order_by(User.name)):
            click.echo(f"{user.name}\t{user.role}\t{','.join(user.groups or [])}\t"
                       f"{user.email or ''}" + ("" if user.active else "\tdeactivated"))


@users.command("deactivate")
@click.argument("name")
def users_deactivate(name):
    """Deactivate NAME: no more sign-in, and every token revoked at once."""
    from server.console.accounts import deactivate
    from server.people.users import find_user

    with command_app().app_context():
        user = find_user(db.session(), name)
        audit.record(db.session(), "cli", "user.deactivate", name)
        deactivate(db.session(), user)
        click.echo(f"deactivated {name}; their tokens are revoked")


@main.group("audit")
def audit_group():
    """The audit trail: sign-ins, roles, tokens, sources, provisioning, rule changes."""


@audit_group.command("export")
@click.option("--since", default=None, metavar="DATE", help="From this day on (YYYY-MM-DD).")
@click.option("--output", type=click.Path(dir_okay=False), default=None,
              help="Write to this file (default: standard output).")
def audit_export(since, output):
    """Every entry as JSON lines, oldest first (for a SIEM or an auditor)."""
    from datetime import datetime

    try:
        start = datetime.fromisoformat(since) if since else None
    except ValueError:
        fail(f"--since takes a date like 2026-11-30 (not {since!r})")
    with command_app().app_context():
        stream = open(output, "w", encoding="utf-8") if output else sys.stdout  # noqa: SIM115
        try:
            n = 0
            for line in audit.export(db.session(), start):
                stream.write(line)
                n += 1
        finally:
            if output:
                stream.close()
        if output:
            click.echo(f"wrote {n} entries to {output}")


@main.group()
def tokens():
    """Create and revoke personal API tokens."""


@tokens.command("create")
@click.argument("user")
@click.option("--name", default="", help="What the token is for, e.g. 'laptop extension'.")
@click.option("--expires", default=None, metavar="AGE",
              help="How long it works: 90d, 12h, 2w (default: until revoked).")
@click.option("--scope", default="full", show_default=True,
              type=click.Choice(["full", "read", "scim"]),
              help="read: GETs of the API only; scim: SCIM provisioning only.")
def tokens_create(user, name, expires, scope):
    """Create a token for USER and print it (it is shown only once)."""
    from server.people.users import create_token, find_user

    age = _age(expires)
    with command_app().app_context():
        person = find_user(db.session(), user)
        token = create_token(db.session(), person, name, age, scope)
        audit.record(db.session(), "cli", "token.create", person.name, name=name,
                     scope=scope, expires=expires or "")
        db.session().commit()
        click.echo(token)


def _age(text: str | None):
    """90d, 12h, 2w or 30m as a timedelta; None for None."""
    from datetime import timedelta

    if text is None:
        return None
    units = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
    number, unit = text[:-1], text[-1:].lower()
    if not number.isdecimal() or unit not in units or not 0 < int(number) <= 100_000:
        fail(f"--expires takes a number and a unit: 90d, 12h, 2w or 30m (not {text!r})")
    return timedelta(**{units[unit]: int(number)})


@tokens.command("revoke")
@click.argument("prefix")
def tokens_revoke(prefix):
    """Revoke tokens starting with PREFIX (the first 10 characters)."""
    from server.people.users import revoke_token

    with command_app().app_context():
        n = revoke_token(db.session(), prefix[:10])
        if not n:
            fail(f"no active token starts with {prefix[:10]!r}")
        audit.record(db.session(), "cli", "token.revoke", prefix[:10], count=n)
        db.session().commit()
        click.echo(f"revoked {n} token(s)")


@main.command("persona")
@click.option("--title", "current", required=True, help="The job title the person holds.")
@click.option("--target", required=True, help="The job title they aim at.")
@click.option("--groups", default="", help="Their audience groups, comma-separated.")
@click.option("--gaps", "shown", default=5, show_default=True, type=click.IntRange(1, 20))
def persona(current, target, groups, shown):
    """What a person with this job title, aiming at the target, would see: the roles both
    match, their top gaps with where the numbers come from and what to start with, and the
    first page of their feed. Nobody is kept: the person exists for this command only."""
    from server.career.roles import match_title
    from server.people.feed import page
    from server.people.gaps import overview
    from server.people.profile import forget, update_profile
    from server.people.users import add_user

    app = command_app()
    with app.app_context():
        session = db.session()
        user = add_user(session, f"persona-{abs(hash((current, target))) % 10**8}",
                        groups=[g for g in groups.split(",") if g.strip()])
        try:
            profile = update_profile(app, session, user, {"current_title": current})
            role = profile["role"]
            found = match_title(app, session, target, 1, role["id"] if role else None)
            if not found:
                fail(f"no role matches {target!r}: import career data first (jitlearn import)")
            update_profile(app, session, user, {"target_roles": [found[0].occupation_id]})
            click.echo(f"{current} -> {target}")
            click.echo(f"  role: {role['title'] if role else 'none matched'}; target: "
                       f"{found[0].title}")
            career = overview(app, session, user)
            for heading, items in (("top gaps", career["gaps"][:shown]),
                                   ("new duties", career["duties"])):
                click.echo(f"  {heading}:")
                for n, item in enumerate(items, 1):
                    what = f"{item['skill']['name']}: {item['why']}" if "skill" in item \
                        else item["task"]
                    start = "; ".join(c["title"] for c in item["content"]) or "nothing fits"
                    click.echo(f"  {n}. {what}\n     start with: {start}")
            for title in career["no_skills_data"]:
                click.echo(f"  the career data lists no skills for {title}")
            feed = page(app, session, user, 1, 10, mandatory_apart=True)
            click.echo(f"  feed, first page ({len(feed['mandatory'])} mandatory items to "
                       "acknowledge apart):")
            for n, item in enumerate(feed["items"], 1):
                click.echo(f"  {n}. {item['title']} ({item['type']}): {item['reason']}")
        finally:
            forget(session, user)
            session.delete(user)
            session.commit()
