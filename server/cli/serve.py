"""`jitlearn serve` (one process, or gunicorn's several) and `jitlearn demo`."""

import json
import os
import re
from pathlib import Path

import click

from server.cli.base import command_app, fail, main
from server.errors import ApiError
from server.state import runtime_of
from server.storage import db


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--threads", default=4, show_default=True, type=click.IntRange(1, 64),
              help="Threads per process.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Server processes (gunicorn when more than one); about one per core.")
def serve(host, port, threads, workers):
    """Serve the API and the console until interrupted.

    With JITLEARN_SCHEDULER_ENABLED, background jobs run in exactly one process (the one holding
    the scheduler lock), whatever the number of workers or machines.
    """
    if workers > 1:
        return _serve_many(host, port, threads, workers)
    from waitress import serve as waitress_serve

    app = _serving_app(migrate=True)
    click.echo(f"jitlearn: serving on http://{host}:{port}", err=True)
    try:
        waitress_serve(app, host=host, port=port, threads=threads, ident="jitlearn")
    except OSError as exc:
        fail(f"cannot serve on {host}:{port} ({exc.strerror}); is another server running? "
             "Pick another with --port")


def _serving_app(migrate: bool = False):
    """The app of one serving process, its pipeline loaded and its scheduler started."""
    from server.app import create_app
    from server.runtime import engine_of

    app = create_app(migrate=migrate)
    _check_roles(app)
    engine = engine_of(app)  # load the pipeline before the first request, not during it
    click.echo(f"jitlearn: {engine.index.doc_count()} documents, pipeline "
               f"{engine.extractor.info.model}"
               + (" (DEGRADED: " + engine.extractor.info.reason + ")" if engine.degraded else ""),
               err=True)
    with app.app_context():  # job titles too: the first lookup after a start is no slower
        from server.career.roles import matcher

        titles = len(matcher(app, db.session()))
    if titles:
        click.echo(f"jitlearn: {titles} occupations to match job titles against", err=True)
    limiter = runtime_of(app).limiter
    if limiter.shared is not None:
        limiter.start_sharing()  # counts across the processes serving
    if app.config["INDEX_FOLLOW"]:
        from server.content.follow import start_following

        start_following(app)
    if app.config["SCHEDULER_ENABLED"]:
        from server.jobs.schedule import start

        start(app)  # the process that gets the scheduler lock runs the jobs
    return app


def _check_roles(app) -> None:
    """A machine that follows published snapshots never writes the index, so runs no jobs."""
    if app.config["INDEX_FOLLOW"] and app.config["SCHEDULER_ENABLED"]:
        fail("JITLEARN_INDEX_FOLLOW and JITLEARN_SCHEDULER_ENABLED exclude each other: the "
             "scheduler runs on the machine that writes the index and publishes it")
    if app.config["INDEX_FOLLOW"] and not app.config["INDEX_SNAPSHOTS"]:
        fail("JITLEARN_INDEX_FOLLOW needs JITLEARN_INDEX_SNAPSHOTS: the directory the writer "
             "publishes to")


# How long an idle kept-alive connection stays open. A request that arrives on one just as the
# worker closes it is reset (a failed request the client never sent twice): gunicorn's 2 s
# reset 5 in 2,600 requests of the load test on a busy machine, where a client's next request
# can come more than 2 s after its last answer. Longer than a proxy's idle upstream connections
# (60 s by default in nginx), so the proxy in front (docs/scaling.md) closes them first.
KEEPALIVE = 75


def _serve_many(host: str, port: int, threads: int, workers: int) -> None:
    """gunicorn: one master and `workers` processes, each with its own app and threads."""
    from gunicorn.app.base import BaseApplication
    from gunicorn.errors import HaltServer

    class Gunicorn(BaseApplication):
        def load_config(self):
            for key, value in {"bind": f"{host}:{port}", "workers": workers, "threads": threads,
                               "worker_class": "gthread", "timeout": 120,
                               "graceful_timeout": 20, "loglevel": "warning",
                               "keepalive": KEEPALIVE,
                               "accesslog": None, "preload_app": False}.items():
                self.cfg.set(key, value)

        def load(self):  # in each worker, after the fork: nothing is shared but files
            return _serving_app()

    os.environ.setdefault("JITLEARN_RATE_SHARED", "true")  # limits hold across the workers
    app = command_app(quiet=False, migrate=True)  # once, here, before the workers start
    _check_roles(app)
    runtime_of(app).database.dispose()
    click.echo(f"jitlearn: serving on http://{host}:{port} with {workers} processes", err=True)
    try:
        Gunicorn().run()
    except HaltServer as exc:
        fail(f"cannot serve on {host}:{port}: {exc.reason}")


SAMPLES = Path(__file__).resolve().parent.parent.parent / "samples" / "content"


CAREER_PACK = SAMPLES.parent / "career" / "roles.csv"  # our own small job architecture
# a few pages of our own, graded against the samples: the test bench picks from them, a draft
# of the rules is replayed on them and a tag change previewed on them
BENCH_PAGES = SAMPLES.parent / "bench" / "pages.jsonl"


def public_homes(corpora: Path) -> dict[str, str]:
    """Folder name -> the address template of its public home, for a folder of snapshots of
    public repositories described by a manifest.json (name, source "owner/repo", commits):
    each file opens where it was taken from, at that commit. Career data ("skills/...") is
    not content and is left out; a folder taken from several commits gets no template (its
    items open on jitlearn's reading page)."""
    try:
        listed = json.loads((corpora / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    homes = {}
    for entry in listed if isinstance(listed, list) else []:
        if not isinstance(entry, dict) or str(entry.get("category", "")).startswith("skills"):
            continue
        name, repo, commits = entry.get("name"), entry.get("source"), entry.get("commits")
        if not isinstance(name, str) or not (corpora / name).is_dir():
            continue
        one = isinstance(commits, list) and len(commits) == 1 and isinstance(repo, str) \
            and re.fullmatch(r"[\w.-]+/[\w.-]+", repo)
        homes[name] = f"https://github.com/{repo}/blob/{commits[0]}/{{file}}" if one else ""
    return homes


def _demo_growth(app, session) -> None:
    """A manager who posts an opportunity and offers to be asked about budgeting, so the demo
    shows what lies beyond documents (written again at each demo, idempotent)."""
    from datetime import timedelta

    from server.people import experts
    from server.people.opportunity_feed import import_rows
    from server.people.profile import update_profile
    from server.people.ratings import rate
    from server.people.users import add_user, find_user
    from server.storage.models import now

    try:
        manager = find_user(session, "demo-manager")
    except ApiError:
        manager = add_user(session, "demo-manager", "manager", email="demo-manager@example.com",
                           groups=["finance", "managers"])
    update_profile(app, session, manager, {"department": "Finance"})
    rate(app, session, manager, "Budgeting", 4, "self")
    experts.add(session, manager, "Budgeting", {"rating": True, "role": True,
                                                "documents": True})
    ends = (now() + timedelta(days=60)).date().isoformat()
    import_rows(session, "demo", [{
        "id": "fy27-budgeting", "title": "Join the FY27 budgeting cycle", "kind": "cycle",
        "owner": "demo-manager", "skills": "Budgeting", "hours_per_week": 2, "ends": ends,
        "places": "Remote", "description": "Help finance collect and check each team's budget; "
                                           "you learn how a budget is built and defended."}])


@main.command()
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--no-serve", is_flag=True, help="Set up and print the instructions, then exit.")
@click.option("--corpora", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Also load a folder of real corpora (one source per folder, named in its "
                   "manifest.json), each document opening at its public home.")
def demo(port, no_serve, corpora):
    """Load the built-in sample content, create a demo user and token, then serve."""
    from index import ingest_dir
    from server.career.imports import import_roles
    from server.content.tags import overrides
    from server.content.versions import record_versions
    from server.people.users import add_user, create_token, find_user
    from server.runtime import index_of, tagger_of

    # links the demo prints and signs (sign-in, /read/<id>) point at the port it serves on
    os.environ.setdefault("JITLEARN_PUBLIC_URL", f"http://127.0.0.1:{port}")
    os.environ.setdefault("JITLEARN_EVAL_JUDGMENTS", str(BENCH_PAGES))
    app = command_app(migrate=True)  # it serves: an older demo's data is upgraded, as by serve
    with app.app_context():
        manual = overrides(db.session())
    report = ingest_dir(index_of(app), "samples", SAMPLES, tagger_of(app), overrides=manual)
    click.echo(report.summary())
    homes = public_homes(corpora) if corpora else {}
    if corpora and not homes:
        fail(f"{corpora}: no manifest.json naming its folders; load them with "
             "`jitlearn ingest` instead")
    for name, template in sorted(homes.items()):
        click.echo(ingest_dir(index_of(app), name, corpora / name, tagger_of(app),
                              overrides=manual, url_template=template).summary())
    with app.app_context():
        session = db.session()
        record_versions(session, report)
        click.echo(import_roles(session, CAREER_PACK).summary())
        try:
            user = find_user(session, "demo")
        except ApiError:
            # an engineer, as the profile below says: content for engineering shows to them,
            # what is only for finance or managers does not (as for anyone outside a group)
            user = add_user(session, "demo", "employee", groups=["engineering"])
        token = create_token(session, user, "make demo")
        try:
            admin = find_user(session, "demo-admin")
        except ApiError:
            admin = add_user(session, "demo-admin", "admin")
        _demo_growth(app, session)
        from server.console.accounts import create_link

        console_link = f"http://127.0.0.1:{port}/console/login/{create_link(session, admin)}"
        own_link = f"http://127.0.0.1:{port}/console/login/{create_link(session, user)}"
    base = f"http://127.0.0.1:{port}"
    curl = (f"curl -s -X POST {base}/api/v1/suggestions -H 'Authorization: Bearer {token}' "
            "-H 'Content-Type: application/json' -d ")
    put = (f"curl -s -X PUT {base}/api/v1/me/profile -H 'Authorization: Bearer {token}' "
           "-H 'Content-Type: application/json' -d ")
    profile = '{"current_title": "Software Engineer", "target_roles": ["org:engineering-manager"]}'
    budget = ('{"context": {"title": "FY2027 annual budgeting cycle - Finance", '
              '"text": "Budget owners plan headcount and opex per cost center."}}')

    click.echo(f"""
jitlearn demo is ready. Your API token (shown once): {token}
It signs you in as demo, an employee in the engineering group: content only for other groups
(finance, managers, sales, ...) is not shown to demo; the console's test bench shows it all.

Open {base}/healthz to see the service, then try:

  {curl}'{{"context": {{"title": "Expense report - Navan", "url": "https://app.navan.com/expenses"}}}}'

  and for a page with nothing work-related (the panel stays quiet):

  {curl}'{{"context": {{"title": "Premier League results - BBC Sport", "url": "https://www.bbc.co.uk/sport/football"}}}}'

Tell it your role and where you are going: suggestions then say what they build for you,
and /me/gaps lists what your target role needs next, with content for each:

  {put}'{profile}'
  {curl}'{budget}'
  curl -s {base}/api/v1/me/gaps -H 'Authorization: Bearer {token}'

On that budgeting page the answer also holds, beside the documents, an opportunity that
builds budgeting (posted by demo-manager) and demo-manager as a colleague to ask: she
offered to be asked about budgeting.

Your own learning home (role, target roles, skills, gaps, feed), signed in as demo by
this one-time link: {own_link}

The web console for L&D and admins (content, topics and rules, test bench, analytics), signed
in as demo-admin by this one-time link: {console_link}

Or from the shell: .venv/bin/jitlearn suggest "Parental leave request"
Press Ctrl+C to stop.
""")
    if not no_serve:
        click.get_current_context().invoke(serve, host="127.0.0.1", port=port, threads=4)
