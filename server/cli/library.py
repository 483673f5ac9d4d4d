"""The library from the shell: `jitlearn ingest`, `jitlearn sources ...`, `jitlearn content ...`."""

import json
import sys
from pathlib import Path

import click

from server.cli.base import command_app, fail, main
from server.errors import ApiError
from server.storage import db


@main.command()
@click.option("--source", default=None,
              help="Name of the content source (ids are NAME:<path>); default: the folder's name.")
@click.option("--full", is_flag=True,
              help="Re-read and re-tag every file, changed or not (after a taxonomy change, or "
                   "to give unchanged files a new --url-template).")
@click.option("--url-template", default="", metavar="URL",
              help="Where the documents are read, e.g. https://handbook.example.com/{path} "
                   "({path}: the file's path without extension, {stem}, {file}: with it, "
                   "{id}); a document's own url: wins.")
@click.argument("directories", nargs=-1, required=True,
                type=click.Path(exists=True, file_okay=False, path_type=Path))
def ingest(source, full, url_template, directories):
    """Index the files under each DIRECTORY, one source per folder (re-runs sync changes only).

    Markdown, HTML, text, PDF, Word, CSV/JSON catalogs, feeds, SCORM and cmi5 packages.
    """
    from index import IndexBusy, ingest_dir
    from server.content.sources import NAME, template_of
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
    if url_template and len(directories) > 1:
        fail("--url-template is one source's; ingest that folder on its own with --source")
    if url_template:
        template_of(url_template)
    app = command_app()
    with app.app_context():
        manual = overrides(db.session())
    ix, tag, reports = index_of(app), tagger_of(app), []
    for name, directory in zip(names, directories, strict=True):
        try:
            report = ingest_dir(ix, name, directory, tag, overrides=manual, full=full,
                                url_template=url_template)
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


@main.group()
def sources():
    """Content sources synced on a schedule: folders, feeds and sitemaps."""


@sources.command("add")
@click.argument("name")
@click.option("--folder", type=click.Path(file_okay=False), help="A folder on this machine.")
@click.option("--feed", help="An RSS or Atom feed URL.")
@click.option("--sitemap", help="An XML sitemap URL; pages whose lastmod changed are fetched.")
@click.option("--opportunities", metavar="URL",
              help="An HR system's feed of opportunities (CSV or JSON) at an http(s) address.")
@click.option("--every", default=60, show_default=True, type=int, help="Minutes between syncs.")
@click.option("--url-template", default="", metavar="URL",
              help="Where a folder's documents are read, e.g. "
                   "https://handbook.example.com/{path} ({path}, {stem}, {file}, {id}); a "
                   "document's own url: wins.")
def sources_add(name, folder, feed, sitemap, opportunities, every, url_template):
    """Add a source NAME (its documents get ids NAME:...)."""
    from server.content.sources import add_source

    given = [(k, v) for k, v in (("folder", folder), ("feed", feed), ("sitemap", sitemap),
                                 ("opportunities", opportunities)) if v]
    if len(given) != 1:
        fail("give exactly one of --folder, --feed, --sitemap or --opportunities")
    app = command_app()
    with app.app_context():
        source = add_source(db.session(), name, given[0][0], given[0][1], every,
                            home=app.config["HOME"], url_template=url_template)
        click.echo(f"added {source.kind} source {source.name}, synced every {every} minutes")


@sources.command("list")
def sources_list():
    """Each source with the outcome of its last sync."""
    from sqlalchemy import select

    from server.content.sources import describe
    from server.storage.models import Source

    with command_app().app_context():
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

    app = command_app()
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
    """Remove source NAME and withdraw its documents (an opportunities feed: close its open
    opportunities)."""
    from server.content.sources import find_source, remove_source

    app = command_app()
    with app.app_context():
        kind = find_source(db.session(), name).kind
        n = remove_source(app, db.session(), name, withdraw=not keep_documents)
        click.echo(f"removed {name}; {n} " + ("opportunities closed" if kind == "opportunities"
                                              else "documents withdrawn"))


@main.group()
def content():
    """The content library."""


@content.command("publish")
def content_publish():
    """Publish the index as a snapshot to JITLEARN_INDEX_SNAPSHOTS, for the other machines."""
    from index import IndexBusy, snapshots
    from server.runtime import index_of

    app = command_app()
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

    app = command_app()
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

    app = command_app()
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
    app = command_app()
    with app.app_context():
        result = bulk(app, db.session(), body, by)
    for doc_id in result["ids"]:
        click.echo(doc_id)
    verb = "would change" if dry_run else "changed"
    click.echo(f"{result['matched']} matched, {verb} {result['changed']}", err=True)
