"""The `jitlearn` command: serve, ingest, suggest, eval, users, tokens."""

import json
import logging
import os
import sys
from pathlib import Path

import click

from server.app import create_app
from server.errors import ApiError
from server.storage import audit, db
from server.storage.models import ROLES


def _app(quiet: bool = True):
    """The app for a command; commands other than serve log warnings only, unless asked."""
    app = create_app()
    if quiet and "JITLEARN_LOG_LEVEL" not in os.environ:
        logging.getLogger().setLevel(logging.WARNING)
    return app


def fail(message: str) -> None:
    raise click.ClickException(message)


class Commands(click.Group):
    """Every command: what the services refuse (ApiError) and a ranking model that cannot be
    used are a clear message and exit status 1, not a trace; here once for all of them."""

    def invoke(self, ctx):
        from server.suggest.ranker import ModelError

        try:
            return super().invoke(ctx)
        except ApiError as exc:
            raise click.ClickException(exc.message) from exc
        except ModelError as exc:
            raise click.ClickException(str(exc)) from exc


@click.group(cls=Commands, context_settings={"help_option_names": ["-h", "--help"]})
def main():
    """jitlearn: the few policies, courses and guides a person needs for the page they work on.

    Settings come from JITLEARN_* environment variables (JITLEARN_HOME, default ./var).
    """


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

    app = _serving_app()
    click.echo(f"jitlearn: serving on http://{host}:{port}", err=True)
    try:
        waitress_serve(app, host=host, port=port, threads=threads, ident="jitlearn")
    except OSError as exc:
        fail(f"cannot serve on {host}:{port} ({exc.strerror}); is another server running? "
             "Pick another with --port")


def _serving_app():
    """The app of one serving process, its pipeline loaded and its scheduler started."""
    from server.runtime import engine_of

    app = _app(quiet=False)
    _check_roles(app)
    engine = engine_of(app)  # load the pipeline before the first request, not during it
    click.echo(f"jitlearn: {engine.index.doc_count()} documents, pipeline "
               f"{engine.extractor.info.model}"
               + (" (DEGRADED: " + engine.extractor.info.reason + ")" if engine.degraded else ""),
               err=True)
    limiter = app.extensions["jitlearn.limiter"]
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


def _serve_many(host: str, port: int, threads: int, workers: int) -> None:
    """gunicorn: one master and `workers` processes, each with its own app and threads."""
    from gunicorn.app.base import BaseApplication
    from gunicorn.errors import HaltServer

    class Gunicorn(BaseApplication):
        def load_config(self):
            for key, value in {"bind": f"{host}:{port}", "workers": workers, "threads": threads,
                               "worker_class": "gthread", "timeout": 120,
                               "graceful_timeout": 20, "loglevel": "warning",
                               "accesslog": None, "preload_app": False}.items():
                self.cfg.set(key, value)

        def load(self):  # in each worker, after the fork: nothing is shared but files
            return _serving_app()

    os.environ.setdefault("JITLEARN_RATE_SHARED", "true")  # limits hold across the workers
    app = _app(quiet=False)  # migrate once, here, before the workers start
    _check_roles(app)
    app.extensions["jitlearn.database"].dispose()
    click.echo(f"jitlearn: serving on http://{host}:{port} with {workers} processes", err=True)
    try:
        Gunicorn().run()
    except HaltServer as exc:
        fail(f"cannot serve on {host}:{port}: {exc.reason}")


@main.command()
@click.option("--source", default=None,
              help="Name of the content source (ids are NAME:<path>); default: the folder's name.")
@click.option("--full", is_flag=True,
              help="Re-read and re-tag every file, changed or not (after a taxonomy change).")
@click.argument("directories", nargs=-1, required=True,
                type=click.Path(exists=True, file_okay=False, path_type=Path))
def ingest(source, full, directories):
    """Index the files under each DIRECTORY, one source per folder (re-runs sync changes only).

    Markdown, HTML, text, PDF, Word, CSV/JSON catalogs, feeds, SCORM and cmi5 packages.
    """
    from index import IndexBusy, ingest_dir
    from server.content.sources import NAME
    from server.content.tags import overrides
    from server.content.versions import record_versions
    from server.jobs.runs import background_priority
    from server.runtime import index_of, tagger_of

    background_priority()  # a server on this machine answers first
    if source and len(directories) > 1:
        fail("--source names one directory; leave it out to name each source by its folder")
    names = [source or d.resolve().name for d in directories]
    for name in names:
        if not NAME.match(name):
            fail(f"source name {name!r}: use letters, digits, '-', '_' or '.' (it prefixes "
                 "every id); name it with --source")
    if len(set(names)) < len(names):
        fail("two directories would be the same source; ingest them one at a time with --source")
    app = _app()
    with app.app_context():
        manual = overrides(db.session())
    ix, tag, reports = index_of(app), tagger_of(app), []
    for name, directory in zip(names, directories, strict=True):
        try:
            report = ingest_dir(ix, name, directory, tag, overrides=manual, full=full)
        except (OSError, IndexBusy) as exc:
            fail(f"cannot ingest {directory}: {exc}")
        with app.app_context():
            record_versions(db.session(), report)
        for rel, reason in report.failed:
            click.echo(f"skipped {name}:{rel}: {reason}", err=True)
        reports.append(report)
    click.echo(reports[0].summary() if len(reports) == 1 else report_table(reports))


def report_table(reports) -> str:
    """One row per source and a total: what a whole-library ingest did."""
    columns = ("files", "added", "updated", "unchanged", "removed", "failed", "seconds")

    def cells(r) -> list:
        return [r.seen, r.added, r.updated, r.unchanged, r.deleted, len(r.failed), r.seconds]

    rows = [(r.source, cells(r)) for r in reports]
    rows.append(("total", [sum(c) for c in zip(*(cells(r) for r in reports), strict=True)]))
    width = max(len("source"), *(len(name) for name, _ in rows))
    lines = [f"{'source':<{width}}" + "".join(f"{c:>11}" for c in columns)]
    for name, values in rows:
        if name == "total":
            lines.append("-" * len(lines[0]))
        lines.append(f"{name:<{width}}" + "".join(
            f"{v:>11.1f}" if isinstance(v, float) else f"{v:>11,}" for v in values))
    return "\n".join(lines)


@main.command()
@click.argument("title")
@click.option("--url", default="")
@click.option("--text", default="", help="Visible text or selection from the page.")
@click.option("--heading", "headings", multiple=True, help="A heading (repeatable).")
@click.option("--limit", default=3, show_default=True, type=click.IntRange(1, 20))
@click.option("--json", "as_json", is_flag=True, help="Print the API's JSON answer.")
@click.option("--groups", default=None,
              help="Answer as someone in these audience groups (comma-separated); "
                   "without it the whole library is searched, restricted content included.")
def suggest(title, url, text, headings, limit, as_json, groups):
    """Show suggestions for a page TITLE, as the side panel would."""
    from nlp import Context
    from server.runtime import engine_of

    members = None if groups is None else {g.strip().lower() for g in groups.split(",")
                                           if g.strip()}
    result = engine_of(_app()).suggest(Context(title=title, url=url, text=text,
                                               headings=list(headings)), limit=limit,
                                       groups=members)
    if as_json:
        click.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
        return
    labels = ", ".join(f"{t.label} ({t.weight:.2f})" for t in result.topics) or "none"
    click.echo(f"topics: {labels}")
    if not result.suggestions:
        click.echo(f"no suggestions: {result.abstained}")
    for n, s in enumerate(result.suggestions, 1):
        click.echo(f"{n}. {s.title}  [{s.type}, {s.score:.2f}]  {s.id}")
        for reason in s.reasons:
            click.echo(f"     - {reason}")


SAMPLES = Path(__file__).resolve().parent.parent.parent / "samples" / "content"
CAREER_PACK = SAMPLES.parent / "career" / "roles.csv"  # our own small job architecture


@main.command()
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--no-serve", is_flag=True, help="Set up and print the instructions, then exit.")
def demo(port, no_serve):
    """Load the built-in sample content, create a demo user and token, then serve."""
    from index import ingest_dir
    from server.career.imports import import_roles
    from server.content.tags import overrides
    from server.content.versions import record_versions
    from server.people.users import add_user, create_token, find_user
    from server.runtime import index_of, tagger_of

    app = _app()
    with app.app_context():
        manual = overrides(db.session())
    report = ingest_dir(index_of(app), "samples", SAMPLES, tagger_of(app), overrides=manual)
    click.echo(report.summary())
    with app.app_context():
        session = db.session()
        record_versions(session, report)
        click.echo(import_roles(session, CAREER_PACK).summary())
        try:
            user = find_user(session, "demo")
        except ApiError:
            user = add_user(session, "demo", "employee")
        token = create_token(session, user, "make demo")
        try:
            admin = find_user(session, "demo-admin")
        except ApiError:
            admin = add_user(session, "demo-admin", "admin")
        from server.console.accounts import create_link

        console_link = f"http://127.0.0.1:{port}/console/login/{create_link(session, admin)}"
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

Open {base}/healthz to see the service, then try:

  {curl}'{{"context": {{"title": "Expense report - Navan", "url": "https://app.navan.com/expenses"}}}}'

  and for a page with nothing work-related (the panel stays quiet):

  {curl}'{{"context": {{"title": "Premier League results - BBC Sport", "url": "https://www.bbc.co.uk/sport/football"}}}}'

Tell it your role and where you are going: suggestions then say what they build for you,
and /me/gaps lists what your target role needs next, with content for each:

  {put}'{profile}'
  {curl}'{budget}'
  curl -s {base}/api/v1/me/gaps -H 'Authorization: Bearer {token}'

The web console for L&D and admins (content, topics and rules, test bench, analytics), signed
in as demo-admin by this one-time link: {console_link}

Or from the shell: .venv/bin/jitlearn suggest "Parental leave request"
Press Ctrl+C to stop.
""")
    if not no_serve:
        click.get_current_context().invoke(serve, host="127.0.0.1", port=port, threads=4)


@main.command("eval")
@click.argument("judgments", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write one JSON line per context: id, ranked ids, latency_ms.")
@click.option("--cross-validate", "folds", type=click.IntRange(2, 20), default=None,
              help="Print one table instead: the engine in-sample and over this many folds, "
                   "with and without the taxonomy, with and without profiles.")
@click.option("--baseline", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Another system's run (JSONL: id, ranked) to score beside it, e.g. BM25F.")
def evaluate(judgments, output, folds, baseline):
    """Score suggestions against graded JUDGMENTS (JSONL); prints metrics as JSON.

    A judgment's profile (role, target_role, goals, tenure_days) is applied as the API applies
    a person's own."""
    from server.people.gaps import profile_signal
    from server.runtime import engine_of
    from server.suggest import training
    from server.suggest.evaluation import load_judgments, load_run, run_eval

    app = _app()
    with app.app_context():
        try:
            judged = load_judgments(judgments)
            engine = engine_of(app)
            personalize = lambda p: profile_signal(app, db.session(), p)  # noqa: E731
            metrics = run_eval(engine, judged, output, personalize)
            if folds is None:
                click.echo(json.dumps(metrics, indent=2))
                return
            other = load_run(baseline) if baseline else None
            click.echo(training.report(engine, judged, folds, personalize, other, metrics))
        except ValueError as exc:  # a TrainingError too
            fail(str(exc))


@main.command()
@click.argument("judgments", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--folds", default=5, show_default=True, type=click.IntRange(2, 20),
              help="Pages are split into this many folds; each is answered by a model fitted "
                   "on the others.")
@click.option("--no-taxonomy", is_flag=True,
              help="Fit the model used without a taxonomy and rules (a library on day one).")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the model [default: ranker.json in JITLEARN_HOME, which "
                   "the server then uses].")
def train(judgments, folds, no_taxonomy, output):
    """Fit the ranking and abstention models to graded JUDGMENTS (JSONL, as for eval).

    Prints the figures on the judged pages (in-sample) and on held-out folds
    (cross-validated), then saves the model fitted on every page."""
    from nlp import TopicExtractor
    from server.runtime import index_of, ruleset
    from server.suggest import training
    from server.suggest.evaluation import load_judgments

    app = _app()
    with app.app_context():
        try:
            judged = load_judgments(judgments)
        except ValueError as exc:
            fail(str(exc))
        _, taxonomy, rules = ruleset(app)  # the published taxonomy and rules
        extractor = TopicExtractor.build(model=app.config["MODEL"], taxonomy_path=taxonomy,
                                         rules_path=rules)
        engine = training.reader(extractor, index_of(app), taxonomy=not no_taxonomy)
        with click.progressbar(length=len(judged), label="Reading the judged pages",
                               file=sys.stderr) as bar:
            samples = training.read_judgments(engine, judged,
                                              lambda done, total: bar.update(1))
        try:
            model, rows = training.train(engine, samples, folds)
        except training.TrainingError as exc:
            fail(str(exc))
        model.trained.update(judgments=len(judged), taxonomy=not no_taxonomy)
        target = output or Path(app.config["HOME"]) / "ranker.json"
        model.save(target)
    click.echo(training.table(rows))
    click.echo(f"Saved to {target}")


@main.group()
def sources():
    """Content sources synced on a schedule: folders, feeds and sitemaps."""


@sources.command("add")
@click.argument("name")
@click.option("--folder", type=click.Path(file_okay=False), help="A folder on this machine.")
@click.option("--feed", help="An RSS or Atom feed URL.")
@click.option("--sitemap", help="An XML sitemap URL; pages whose lastmod changed are fetched.")
@click.option("--every", default=60, show_default=True, type=int, help="Minutes between syncs.")
def sources_add(name, folder, feed, sitemap, every):
    """Add a source NAME (its documents get ids NAME:...)."""
    from server.content.sources import add_source

    given = [(k, v) for k, v in (("folder", folder), ("feed", feed), ("sitemap", sitemap)) if v]
    if len(given) != 1:
        fail("give exactly one of --folder, --feed or --sitemap")
    app = _app()
    with app.app_context():
        source = add_source(db.session(), name, given[0][0], given[0][1], every,
                            home=app.config["HOME"])
        click.echo(f"added {source.kind} source {source.name}, synced every {every} minutes")


@sources.command("list")
def sources_list():
    """Each source with the outcome of its last sync."""
    from sqlalchemy import select

    from server.content.sources import describe
    from server.storage.models import Source

    with _app().app_context():
        for source in db.session().scalars(select(Source).order_by(Source.name)):
            d = describe(source)
            counts = ", ".join(f"{k} {v}" for k, v in d["last_counts"].items()) or "-"
            click.echo(f"{d['name']}\t{d['kind']}\t{d['last_status']}\t"
                       f"{d['last_run_at'] or 'never'}\t{counts}\t{d['location']}")
            for item, reason in d["last_failures"][:5]:
                click.echo(f"    failed: {item}: {reason}")


@sources.command("sync")
@click.argument("names", nargs=-1)
def sources_sync(names):
    """Sync the named sources now (all when none is named); one failing does not stop others."""
    from sqlalchemy import select

    from server.content.sources import describe, sync_source
    from server.runtime import tagger_of
    from server.storage.models import Source

    app = _app()
    with app.app_context():
        session = db.session()
        names = names or session.scalars(select(Source.name).order_by(Source.name)).all()
        failed, tag = 0, tagger_of(app)
        for name in names:
            try:
                d = describe(sync_source(app, session, name, tag, actor="cli"))
            except ApiError as exc:
                click.echo(exc.message, err=True)
                failed += 1
                continue
            failed += d["last_status"] == "failed"
            counts = ", ".join(f"{k} {v}" for k, v in d["last_counts"].items())
            click.echo(f"{name}: {d['last_status']} {counts}")
            for item, reason in d["last_failures"][:5]:
                click.echo(f"    failed: {item}: {reason}", err=True)
        if failed:
            sys.exit(1)


@sources.command("remove")
@click.argument("name")
@click.option("--keep-documents", is_flag=True, help="Leave its documents in the index.")
def sources_remove(name, keep_documents):
    """Remove source NAME and withdraw its documents."""
    from server.content.sources import remove_source

    app = _app()
    with app.app_context():
        n = remove_source(app, db.session(), name, withdraw=not keep_documents)
        click.echo(f"removed {name}; {n} documents withdrawn")


@main.group()
def content():
    """The content library."""


@content.command("publish")
def content_publish():
    """Publish the index as a snapshot to JITLEARN_INDEX_SNAPSHOTS, for the other machines."""
    from index import IndexBusy, snapshots
    from server.runtime import index_of

    app = _app()
    if not app.config["INDEX_SNAPSHOTS"]:
        fail("set JITLEARN_INDEX_SNAPSHOTS to the directory the other machines read")
    try:
        name = snapshots.publish(index_of(app), Path(app.config["INDEX_SNAPSHOTS"]))
    except (OSError, IndexBusy) as exc:
        fail(f"cannot publish the index: {exc}")
    click.echo(f"published snapshot {name}")


@content.command("stale")
@click.option("--owner", default=None, help="Only what this owner keeps.")
def content_stale(owner):
    """Content past its review-by date, or unchanged for JITLEARN_STALE_DAYS (default 365)."""
    from server.runtime import index_of

    app = _app()
    items = index_of(app).stale(int(app.config["STALE_DAYS"]), owner)
    for item in items:
        click.echo(f"{item['id']}\t{item['owner'] or '-'}\t{item['reason']}\t{item['title']}")
    click.echo(f"{len(items)} stale", err=True)


@content.command("show")
@click.argument("content_id")
def content_show(content_id):
    """One document as L&D sees it: tags, proposed topics and skills, manual values (JSON)."""
    from server.api.views import content_detail
    from server.runtime import index_of

    app = _app()
    with app.app_context():
        hit = index_of(app).get(content_id)
        if hit is None:
            fail(f"no content {content_id!r}")
        click.echo(json.dumps(content_detail(hit), indent=2, ensure_ascii=False, default=str))


@content.command("tag")
@click.argument("ids", nargs=-1)
@click.option("--query", default="", help="Every document with all these words.")
@click.option("--source", default="", help="Only this source's documents.")
@click.option("--type", "type_", default="", help="Only documents of this type.")
@click.option("--topic", default="", help="Only documents tagged with this topic id.")
@click.option("--changes", required=True,
              help='JSON, as PATCH /api/v1/content/<id> takes it: '
                   '\'{"topics": {"add": ["expenses"]}, "mandatory": true}\'')
@click.option("--dry-run", is_flag=True, help="Say what would change; change nothing.")
@click.option("--by", default="cli", show_default=True, help="Recorded as who changed it.")
def content_tag(ids, query, source, type_, topic, changes, dry_run, by):
    """Set tags on the documents IDS, or on every document a query and filters select."""
    from server.content.tags import bulk

    try:
        parsed = json.loads(changes)
    except json.JSONDecodeError as exc:
        fail(f"--changes is not JSON: {exc}")
    body = {"changes": parsed, "dry_run": dry_run}
    if ids:
        body["ids"] = list(ids)
    body.update({k: v for k, v in (("query", query), ("source", source), ("type", type_),
                                   ("topic", topic)) if v})
    app = _app()
    with app.app_context():
        result = bulk(app, db.session(), body, by)
    for doc_id in result["ids"]:
        click.echo(doc_id)
    verb = "would change" if dry_run else "changed"
    click.echo(f"{result['matched']} matched, {verb} {result['changed']}", err=True)


@main.group("import")
def import_():
    """Career data: O*NET, ESCO, or the organisation's own roles."""


def _import(what: str, *locations: Path) -> None:
    from server.career.imports import CareerDataError, import_esco, import_onet, import_roles

    run = {"onet": import_onet, "esco": import_esco, "roles": import_roles}[what]
    app = _app()
    with app.app_context():
        try:
            report = run(db.session(), *locations)
        except CareerDataError as exc:
            fail(str(exc))
    for where, why in report.skipped[:20]:
        click.echo(f"skipped {where}: {why}", err=True)
    click.echo(report.summary())


@import_.command("onet")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
def import_onet_cmd(directory):
    """O*NET text files (Occupation Data, Skills, Knowledge, Technology Skills, Alternate
    Titles, Related Occupations, Job Zones). Data by USDOL/ETA, used under CC BY 4.0."""
    _import("onet", directory)


@import_.command("esco")
@click.argument("directories", nargs=-1, required=True,
                type=click.Path(exists=True, file_okay=False, path_type=Path))
def import_esco_cmd(directories):
    """ESCO occupations (CSV export) and, where present, their skills (JSON export), from
    one or more folders. ESCO is the European Commission's classification."""
    _import("esco", *directories)


@import_.command("roles")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_roles_cmd(csv_file):
    """The organisation's job architecture: role, level, skills, next_roles columns."""
    _import("roles", csv_file)


@import_.command("assessments")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_assessments_cmd(csv_file):
    """Assessment results (person, skill, level columns) as ratings from "assessment"."""
    from server.people.profile import import_assessments

    app = _app()
    with app.app_context():
        added, skipped = import_assessments(app, db.session(), csv_file)
    for where, why in skipped[:20]:
        click.echo(f"skipped {where}: {why}", err=True)
    click.echo(f"assessments: {added} ratings added, {len(skipped)} lines skipped")


@main.command("backup")
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--index-only", is_flag=True, help="Only the index (the database is PostgreSQL).")
def backup_cmd(target, index_only):
    """Write the data directory, live, to TARGET (.tar.gz)."""
    from server.storage.backup import BackupError, backup

    if target.exists():
        fail(f"{target} exists; choose a new file")
    try:
        counts = backup(_app(), target, index_only)
    except (BackupError, OSError) as exc:
        fail(str(exc))
    click.echo(f"backed up to {target}: database {'yes' if counts['database'] else 'no'}, "
               f"{counts['index_files']} index files")


@main.command("restore")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("home", type=click.Path(file_okay=False, path_type=Path))
def restore_cmd(source, home):
    """Unpack backup SOURCE into the new, empty data directory HOME, and check it."""
    from server.storage.backup import BackupError, restore

    try:
        result = restore(source, home)
    except (BackupError, OSError) as exc:
        fail(str(exc))
    click.echo(f"restored into {home}: database {result.get('database', 'not in the backup')}, "
               f"{result['documents']} documents; start it with JITLEARN_HOME={home}")


@main.command()
@click.option("--days", type=click.IntRange(1, 100_000), default=None,
              help="Keep this many days (default JITLEARN_RETENTION_DAYS, 180).")
def purge(days):
    """Delete requests and feedback older than the retention age (acknowledgments stay)."""
    from server.storage.retention import purge as run

    app = _app()
    with app.app_context():
        counts = run(db.session(), days or int(app.config["RETENTION_DAYS"]))
    click.echo(f"purged {counts['requests']} requests and {counts['feedback']} feedback events")


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

    with _app().app_context():
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

    with _app().app_context():
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

    with _app().app_context():
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

    with _app().app_context():
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

    with _app().app_context():
        session = db.session()
        boss = None if manager == "-" else find_user(session, manager)
        set_manager(session, find_user(session, name), boss)
        click.echo(f"{name} reports to {manager if boss else 'nobody'}")


@users.command("list")
def users_list():
    """List users."""
    from sqlalchemy import select

    from server.storage.models import User

    with _app().app_context():
        for user in db.session().scalars(select(User).order_by(User.name)):
            click.echo(f"{user.name}\t{user.role}\t{','.join(user.groups or [])}\t"
                       f"{user.email or ''}" + ("" if user.active else "\tdeactivated"))


@users.command("deactivate")
@click.argument("name")
def users_deactivate(name):
    """Deactivate NAME: no more sign-in, and every token revoked at once."""
    from server.console.accounts import deactivate
    from server.people.users import find_user

    with _app().app_context():
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
    with _app().app_context():
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
    with _app().app_context():
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
    if not number.isdigit() or unit not in units or not 0 < int(number) <= 100_000:
        fail(f"--expires takes a number and a unit: 90d, 12h, 2w or 30m (not {text!r})")
    return timedelta(**{units[unit]: int(number)})


@tokens.command("revoke")
@click.argument("prefix")
def tokens_revoke(prefix):
    """Revoke tokens starting with PREFIX (the first 10 characters)."""
    from server.people.users import revoke_token

    with _app().app_context():
        n = revoke_token(db.session(), prefix[:10])
        if not n:
            fail(f"no active token starts with {prefix[:10]!r}")
        audit.record(db.session(), "cli", "token.revoke", prefix[:10], count=n)
        db.session().commit()
        click.echo(f"revoked {n} token(s)")


if __name__ == "__main__":
    sys.exit(main())
