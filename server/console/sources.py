"""Console pages for L&D: the sources with their status; add, change, sync now, remove."""

import os

from flask import current_app, flash, g, redirect, render_template, request, url_for
from sqlalchemy import select

from server.console.views import MANAGE, confirmation, console, signed_in
from server.content.sources import (
    add_source,
    change_source,
    describe,
    find_source,
    remove_source,
    sync_source,
)
from server.errors import ApiError
from server.runtime import index_of
from server.storage import db
from server.storage.models import SOURCE_KINDS, Source


@console.get("/sources")
@signed_in(*MANAGE)
def sources():
    rows = db.session().scalars(select(Source).order_by(Source.name))
    return render_template("console/sources.html", sources=[describe(s) for s in rows],
                           kinds=SOURCE_KINDS)


@console.post("/sources/<name>/sync")
@signed_in(*MANAGE)
def sync_now(name: str):
    try:
        source = sync_source(current_app, db.session(), name, actor=g.user.name)
        flash(f"{name}: {source.last_status}, " + ", ".join(
            f"{k} {v}" for k, v in source.last_counts.items()))
    except ApiError as exc:
        flash(exc.message)
    return redirect(url_for("console.sources"))


def _minutes(value: str) -> int:
    if not value.strip().isdecimal():
        raise ApiError("invalid_schedule", "sync every 5 minutes to 7 days (in minutes)")
    return int(value)


@console.post("/sources")
@signed_in(*MANAGE)
def source_add():
    form = request.form
    try:
        source = add_source(db.session(), form.get("name", "").strip(), form.get("kind", ""),
                            form.get("location", "").strip(), _minutes(form.get("every", "60")),
                            roots=current_app.config["SOURCE_ROOTS"].split(os.pathsep),
                            home=current_app.config["HOME"], actor=g.user.name,
                            url_template=form.get("url_template", "").strip())
        flash(f"Added {source.name}. Sync it now, or wait for its schedule.")
    except ApiError as exc:
        flash(f"Not added: {exc.message}")
    return redirect(url_for("console.sources"))


@console.post("/sources/<name>")
@signed_in(*MANAGE)
def source_change(name: str):
    try:
        source = change_source(db.session(), name, _minutes(request.form.get("every", "")),
                               request.form.get("url_template", "").strip(), g.user.name)
        flash(f"Saved {name}." + (" Its next sync reads every file again, for the new addresses."
                                  if source.reread else ""))
    except ApiError as exc:
        flash(f"Not saved: {exc.message}")
    return redirect(url_for("console.sources"))


@console.post("/sources/<name>/remove")
@signed_in(*MANAGE)
def source_remove(name: str):
    """Removing asks first, as every step that changes a lot does: its documents leave."""
    source = find_source(db.session(), name)
    if source.kind == "opportunities":
        asked = confirmation(f"Remove {name}?", "Its open opportunities close at once: nobody "
                             "is shown them again; their owners keep who was interested. "
                             "Syncing stops.", f"Remove {name} and close its opportunities",
                             url_for("console.sources"))
        if asked:
            return asked
        closed = remove_source(current_app, db.session(), name, actor=g.user.name)
        flash(f"Removed {name}; {closed} opportunities closed.")
        return redirect(url_for("console.sources"))
    count = len(index_of(current_app).hashes(source.name))
    asked = confirmation(f"Remove {name}?", f"Its {count} documents leave the library at once: "
                         "nobody is shown them again, and their tags stay on record in case the "
                         "source comes back. Syncing stops.",
                         f"Remove {name} and its {count} documents", url_for("console.sources"))
    if asked:
        return asked
    withdrawn = remove_source(current_app, db.session(), name, actor=g.user.name)
    flash(f"Removed {name}; {withdrawn} documents withdrawn from the library.")
    return redirect(url_for("console.sources"))
