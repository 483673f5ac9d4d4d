"""Data in and out: `jitlearn import ...` (career data), `backup`, `restore`, `purge`."""

from pathlib import Path

import click

from server.cli.base import command_app, fail, main
from server.storage import db


@main.group("import")
def import_():
    """Career data: O*NET, ESCO, or the organisation's own roles."""


def _import(what: str, *locations: Path) -> None:
    from server.career.imports import CareerDataError, import_esco, import_onet, import_roles

    run = {"onet": import_onet, "esco": import_esco, "roles": import_roles}[what]
    app = command_app()
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


@import_.command("opportunities")
@click.argument("feed", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--source", required=True,
              help="The feed's name (\"workday\"): a later import of the same source updates "
                   "what it brought and closes what it no longer lists.")
def import_opportunities_cmd(feed, source):
    """Opportunities from an HR system: a CSV (a header row naming id, title and any of
    description, kind, owner, skills, open_until, starts, ends, hours_per_week, places, audience,
    state; lists separated by ';') or a JSON list of objects with those fields."""
    import re

    from server.errors import ApiError
    from server.people.opportunity_feed import import_feed

    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,59}", source):
        fail("--source: lower-case letters, digits, - and _ (at most 60)")
    app = command_app()
    with app.app_context():
        try:
            report = import_feed(db.session(), source, feed)
        except ApiError as exc:
            fail(exc.message)
    for where, why in report.failed[:50]:
        click.echo(f"failed {where}: {why}", err=True)
    click.echo(f"{source}: {report.added} added, {report.updated} updated, {report.closed} "
               f"closed (no longer in the feed), {len(report.failed)} failed")


@import_.command("assessments")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_assessments_cmd(csv_file):
    """Assessment results (person, skill, level columns) as ratings from "assessment"."""
    from server.people.ratings import import_assessments

    app = command_app()
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
        counts = backup(command_app(), target, index_only)
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

    app = command_app()
    with app.app_context():
        counts = run(db.session(), days or int(app.config["RETENTION_DAYS"]))
    click.echo(f"purged {counts['requests']} requests and {counts['feedback']} feedback events")
