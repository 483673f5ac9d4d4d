"""Console pages for topics and rules: browse and edit (a draft), the test bench, replay before
publishing, publish, versions with one-click rollback, and the audit log."""

import json
from pathlib import Path

from flask import (
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from sqlalchemy import or_, select

from nlp import Context
from nlp.taxonomy import Taxonomy
from server import payload
from server.console.views import MANAGE, confirmation, console, signed_in
from server.content import rulesets
from server.errors import ApiError
from server.people.gaps import profile_signal
from server.runtime import engine_of, ruleset_changed
from server.storage import db
from server.storage.audit import RULE_PREFIXES
from server.storage.models import AuditEntry, RuleVersion
from server.suggest.analytics import as_csv, cached, charts
from server.suggest.evaluation import load_judgments
from server.suggest.replay import draft_engine, replay


def _rules(text: str) -> list[dict]:
    out = []
    for line in text.splitlines():
        if line.strip().startswith("{"):
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError:
                continue
    return out


@console.get("/rules")
@signed_in(*MANAGE)
def rules():
    session_ = db.session()
    version = rulesets.draft(session_) or rulesets.published(session_)
    taxonomy_text, rules_text = rulesets.texts(current_app, version)
    return render_template("console/rules.html", taxonomy=Taxonomy.parse(taxonomy_text),
                           rules=_rules(rules_text), draft=rulesets.draft(session_),
                           published=rulesets.published(session_),
                           example=json.dumps({"id": "url-my-tool", "kind": "url",
                                               "host": "*.example.com", "path": "/claims*",
                                               "weight": 1.0}))


def _change(action):
    try:
        action()
    except ApiError as exc:
        db.session().rollback()  # nothing of a refused change is kept, a new draft included
        flash(f"Not saved: {exc.message}")
    else:
        flash("Saved to the draft. Replay it before you publish.")
    return redirect(url_for("console.rules"))


@console.post("/rules/topic")
@signed_in("admin")
def save_topic():
    form = request.form

    def listed(name):
        return [v.strip() for v in form.get(name, "").split(",") if v.strip()]

    data = {"id": form.get("id", "").strip(), "label": form.get("label", "").strip(),
            "parent": form.get("parent", "").strip() or None, "synonyms": listed("synonyms"),
            "skills": listed("skills")}
    return _change(lambda: rulesets.put_topic(current_app, db.session(), g.user.name, data))


@console.post("/rules/rule")
@signed_in("admin")
def save_rule():
    def put():
        try:
            data = payload.loads(request.form.get("rule", ""))
        except payload.PayloadError as exc:
            raise ApiError("invalid_rule", f"the rule: {exc}") from None
        if isinstance(data, dict) and request.form.get("topic"):
            data["topic"] = request.form["topic"]  # picked from the list, not typed
        rulesets.put_rule(current_app, db.session(), g.user.name, data)
    return _change(put)


@console.post("/rules/delete")
@signed_in("admin")
def delete_rule_or_topic():
    what, name = request.form.get("what"), request.form.get("id", "")
    if what == "topic":
        return _change(lambda: rulesets.delete_topic(current_app, db.session(), g.user.name,
                                                     name))
    return _change(lambda: rulesets.delete_rule(current_app, db.session(), g.user.name, name))


@console.post("/rules/discard")
@signed_in("admin")
def discard_draft():
    rulesets.discard(db.session(), g.user.name)
    flash("Draft discarded.")
    return redirect(url_for("console.rules"))


@console.route("/bench", methods=["GET", "POST"])
@signed_in(*MANAGE)
def bench():
    """Paste a context, see the topics, rules, candidates with their scores, and suggestions."""
    form, result = request.form, None
    session_ = db.session()
    judged = judged_pages(current_app)
    if request.method == "GET" and request.args.get("pick") in judged:
        picked = judged[request.args["pick"]]
        form = {**picked.get("context", {}), **{k: v for k, v in {
            "role": (picked.get("profile") or {}).get("role", ""),
            "target_role": (picked.get("profile") or {}).get("target_role", "")}.items()}}
        form["headings"] = "\n".join(form.get("headings") or [])
    if request.method == "POST":
        context = Context(title=form.get("title", "")[:1000], url=form.get("url", "")[:2048],
                          text=form.get("text", "")[:20_000],
                          headings=[h.strip() for h in form.get("headings", "").splitlines()
                                    if h.strip()][:50])
        if not context.sections():
            flash("Give at least a title or some text.")
        else:
            draft_ = rulesets.draft(session_)
            engine = draft_engine(current_app, draft_) if form.get("version") == "draft" \
                and draft_ else engine_of(current_app)
            profile = {k: form.get(k, "") for k in ("role", "target_role") if form.get(k)}
            personal = profile_signal(current_app, session_, profile) if profile else None
            result = engine.explain(context, personal=personal)
    return render_template("console/bench.html", form=form, result=result, judged=judged,
                           has_draft=rulesets.draft(session_) is not None)


def judged_pages(app) -> dict[str, dict]:
    """The judged contexts (JITLEARN_EVAL_JUDGMENTS) to pick from, by id; none when unset."""
    path = app.config.get("EVAL_JUDGMENTS") or ""
    if not path or not Path(path).is_file():
        return {}
    try:
        return {j["id"]: j for j in load_judgments(Path(path))}
    except ValueError:
        return {}


@console.get("/rules/replay")
@signed_in("admin")
def replay_draft():
    return render_template("console/replay.html", report=replay(current_app, db.session()))


@console.post("/rules/publish")
@signed_in("admin")
def publish():
    asked = confirmation("Publish the draft?", "Every suggestion uses its topics and rules "
                         "within seconds. The version published now stays on record, and you "
                         "can roll back to it.", "Publish the draft",
                         url_for("console.replay_draft"))
    if asked:
        return asked
    return _switch(lambda: rulesets.publish(db.session(), g.user.name,
                                            request.form.get("note", "")),
                   "Version {id} is published: suggestions use it within seconds.")


@console.get("/rules/versions")
@signed_in(*MANAGE)
def versions():
    session_ = db.session()
    rows = session_.scalars(select(RuleVersion).where(RuleVersion.status != "draft")
                            .order_by(RuleVersion.id.desc())).all()
    log = session_.scalars(select(AuditEntry).where(or_(*[
        AuditEntry.action.startswith(p) for p in RULE_PREFIXES])).order_by(
        AuditEntry.id.desc()).limit(100)).all()
    return render_template("console/versions.html", versions=rows, log=log)


@console.post("/rules/rollback/<int:version_id>")
@signed_in("admin")
def rollback(version_id: int):
    name = f"version {version_id}" if version_id else "the built-in version"
    asked = confirmation(f"Roll back to {name}?", f"Every suggestion uses what {name} held "
                         "within seconds, as a new version; the one published now stays on "
                         "record.", f"Roll back to {name}", url_for("console.versions"))
    if asked:
        return asked
    return _switch(lambda: rulesets.rollback(current_app, db.session(), g.user.name,
                                             version_id),
                   f"Rolled back: version {{id}} holds what version {version_id} held.")


def _switch(change, done: str):
    """Publish or roll back: this process uses the new version at once (others within
    RELOAD_S), and the versions page says which one it is."""
    try:
        version = change()
        ruleset_changed(current_app)
        flash(done.format(id=version.id))
    except ApiError as exc:
        flash(exc.message)
    return redirect(url_for("console.versions"))


@console.get("/analytics")
@signed_in(*MANAGE)
def analytics():
    data = cached(current_app, db.session())
    return render_template("console/analytics.html", data=data,
                           charts=set(charts(data)) if data else set())


@console.get("/analytics/<name>.svg")
@signed_in(*MANAGE)
def analytics_chart(name: str):
    """One chart as an SVG image (the page shows it with <img>: no inline style or script)."""
    data = cached(current_app, db.session())
    svg = charts(data).get(name) if data else None
    if svg is None:
        abort(404)
    return Response(svg, mimetype="image/svg+xml", headers={
        "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
        "Cache-Control": "private, max-age=60"})


@console.get("/analytics/<table>.csv")
@signed_in(*MANAGE)
def analytics_csv(table: str):
    if table not in ("demand", "fared", "rules", "gaps", "stale", "opportunities"):
        abort(404)
    data = cached(current_app, db.session())
    if data is None:
        return Response("The analytics are being prepared; try again in a few seconds.\n",
                        status=503, mimetype="text/plain", headers={"Retry-After": "5"})
    return Response(as_csv(data, table), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{table}.csv"'})
