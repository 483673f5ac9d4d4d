"""Console pages for L&D: the content library (search, filters, a document, tagging, bulk
tagging)."""

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for

from index import LEVELS
from index.documents import TYPES
from server.console.rules import judged_pages
from server.console.views import MANAGE, confirmation, console, signed_in
from server.content.preview import in_words, preview
from server.content.tags import CHANGEABLE, detail, edit, parse_changes
from server.content.tags import bulk as bulk_tag
from server.content.versions import versions_of
from server.errors import ApiError
from server.runtime import index_of, taxonomy_of
from server.storage import db

PAGE = 50
FILTERS = ("q", "type", "topic", "source", "audience", "owner", "stale", "mandatory")


@console.get("/content")
@signed_in(*MANAGE)
def library():
    args = {k: request.args.get(k, "").strip()[:200] for k in FILTERS}
    page = request.args.get("page", "1")
    page = int(page) if page.isdecimal() and 0 < int(page) < 10_000 else 1
    total, hits, stale = index_of(current_app).browse(
        args["q"], args["type"], args["topic"], args["source"], args["audience"],
        int(current_app.config["STALE_DAYS"]), bool(args["mandatory"]), limit=PAGE,
        offset=(page - 1) * PAGE, owner=args["owner"], stale_only=bool(args["stale"]))
    sources = sorted(index_of(current_app).stats()["sources"])
    # words so common that they match every document are left out: say so, not just "0"
    common = bool(args["q"]) and not index_of(current_app).analyze(args["q"])
    return render_template("console/library.html", hits=hits, stale=stale, total=total, args=args,
                           common=common,
                           page=page, pages=max(1, -(-total // PAGE)), types=TYPES,
                           topics=taxonomy_of(current_app).topics.values(), sources=sources)


def _changes_from(form, hit) -> dict:
    """The fields of the tag form that differ from the document now, as a change
    (server/content/tags.py); lists come from comma-separated fields."""
    def listed(name):
        return [v.strip() for v in form.get(name, "").split(",") if v.strip()]

    duration = form.get("duration", "0").strip() or "0"
    if not duration.isdecimal():
        raise ApiError("invalid_value", "duration is whole minutes")
    review_by = form.get("review_by", "").strip()
    wanted = {"topics": listed("topics"), "skills": listed("skills"), "tags": listed("tags"),
              "audience": listed("audience"), "type": form.get("type", ""),
              "level": form.get("level", ""), "language": form.get("language", "") or "en",
              "owner": form.get("owner", "").strip(), "mandatory": form.get("mandatory") == "on",
              "duration": int(duration)}
    now = {"topics": list(hit.topics), "skills": hit.skills, "tags": hit.tags,
           "audience": hit.audience, "type": hit.type, "level": hit.level,
           "language": hit.language or "en", "owner": hit.owner, "mandatory": hit.mandatory,
           "duration": hit.duration}
    changes = {k: v for k, v in wanted.items()
               if (sorted(v) != sorted(now[k]) if isinstance(v, list) else v != now[k])}
    current_review = hit.review_by.strftime("%Y-%m-%d") if hit.review_by else ""
    if review_by != current_review:
        changes["review_by"] = review_by or None
    return changes


PROPOSAL_ACTIONS = {"accept": ("topics", "add"), "reject": ("rejected", "add"),
                    "unreject": ("rejected", "remove")}


def _topic_id(given: str) -> str:
    """A topic picked from the list comes as its id, or typed as its label."""
    given = given.strip()
    taxonomy = taxonomy_of(current_app)
    if given in taxonomy.topics:
        return given
    named = [t for t in taxonomy.topics if taxonomy.label(t).lower() == given.lower()]
    return named[0] if named else given


@console.route("/content/<path:content_id>", methods=["GET", "POST"])
@signed_in(*MANAGE)
def document(content_id: str):
    ix, session_ = index_of(current_app), db.session()
    hit = ix.get(content_id)
    if hit is None:
        abort(404)
    if request.method == "POST":
        try:
            action, topic = request.form.get("action"), _topic_id(request.form.get("topic", ""))
            if action in PROPOSAL_ACTIONS:  # accept, reject, or take a rejection back
                field, how = PROPOSAL_ACTIONS[action]
                changes = parse_changes({field: {how: [topic]}}, taxonomy_of(current_app))
            elif request.form.get("action") == "reset":
                asked = confirmation(
                    f"Back to the automatic tags for {hit.title}?", "Every tag L&D set on it "
                    "here goes; the tagger's and the source's values come back.",
                    "Back to the automatic tags", url_for("console.document",
                                                          content_id=content_id))
                if asked:
                    return asked
                # every field L&D can set, the proposals they turned down included
                changes = parse_changes(dict.fromkeys(CHANGEABLE), taxonomy_of(current_app))
            else:
                changes = _changes_from(request.form, hit)
                if not changes:
                    flash("Nothing changed.")
                    return redirect(url_for("console.document", content_id=content_id))
                changes = parse_changes(changes, taxonomy_of(current_app))
                if action == "preview":  # where it would rank; nothing is saved
                    return _page(hit, preview(current_app, session_, content_id, changes,
                                              list(judged_pages(current_app).values())))
            if ix.document(content_id) is None:
                raise ApiError("needs_sync", "indexed by an older version: sync its source first")
            edit(current_app, session_, [content_id], changes, g.user.name)
            flash("Saved: the new tags apply to suggestions now.")
            return redirect(url_for("console.document", content_id=content_id))
        except ApiError as exc:
            flash(exc.message)
    return _page(hit)


def _page(hit, previewed: dict | None = None):
    """The document page; previewed: a tag change's effect on the saved pages, with the
    form's fields carried so the same change can be saved from there."""
    full, session_ = index_of(current_app).document(hit.id), db.session()
    carried = [(k, v) for k, v in request.form.items(multi=True)
               if k not in ("csrf_token", "action")] if previewed is not None else []
    return render_template("console/document.html", hit=hit, text=full.body if full else "",
                           headings=full.headings if full else [],
                           about=detail(current_app, session_, hit),
                           versions=versions_of(session_, hit.id), types=TYPES,
                           levels=LEVELS, taxonomy=taxonomy_of(current_app),
                           previewed=previewed, carried=carried, in_words=in_words)


@console.post("/content-bulk")
@signed_in(*MANAGE)
def bulk():
    body = {k: request.form.get(k, "") for k in ("query", "source", "type", "topic")}
    body = {k: v for k, v in body.items() if v}
    add = [v.strip() for v in request.form.get("add_topics", "").split(",") if v.strip()]
    changes: dict = {"topics": {"add": add}} if add else {}
    if request.form.get("owner"):
        changes["owner"] = request.form["owner"]
    body["changes"] = changes
    body["dry_run"] = request.form.get("dry_run") == "on"
    try:
        result = bulk_tag(current_app, db.session(), body, g.user.name)
        verb = "would change" if result["dry_run"] else "changed"
        flash(f"{result['matched']} documents matched; {verb} {result['changed']}.")
    except ApiError as exc:
        flash(exc.message)
    return redirect(url_for("console.library", q=body.get("query", ""),
                            source=body.get("source", ""), type=body.get("type", ""),
                            topic=body.get("topic", "")))
