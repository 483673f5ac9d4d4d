"""Opportunities in the console: managers, L&D and admins post them, change them, take them down
(filled, closed), and the owner sees who is interested and accepts. The same functions as the
API's /opportunities operations (server/people/opportunities.py)."""

from flask import abort, flash, g, redirect, render_template, request, url_for

from server.console.views import console, signed_in
from server.errors import ApiError
from server.people import opportunities
from server.storage import db
from server.storage.models import OPPORTUNITY_KINDS, OPPORTUNITY_STATES, Opportunity

FORM_FIELDS = ("title", "description", "kind", "skills", "open_until", "starts", "ends",
               "hours_per_week", "places", "audience")


def _body(form) -> dict:
    """The form as the API's body: lists one per line or separated by ';'."""
    body = {k: form.get(k, "").strip() for k in FORM_FIELDS if k in form}
    for name in ("skills", "places", "audience"):
        if name in body:
            body[name] = ";".join(body[name].splitlines())
    if "state" in form:
        body["state"] = form.get("state")
    return body


@console.get("/opportunities")
@signed_in(*opportunities.POSTERS)
def opportunities_page():
    session = db.session()
    mine = opportunities.listing(session, g.user, mine=True)
    return render_template("console/opportunities.html", items=[
        opportunities.to_json(session, o, g.user) for o in mine], kinds=OPPORTUNITY_KINDS,
        everyone=g.user.role in opportunities.EDITORS)


@console.post("/opportunities")
@signed_in(*opportunities.POSTERS)
def post_opportunity():
    try:
        o = opportunities.create(db.session(), g.user, _body(request.form))
    except ApiError as exc:
        db.session().rollback()
        flash(f"Not posted: {exc.message}")
        return redirect(url_for("console.opportunities_page") + "#post-h", 303)
    flash(f"Posted “{o.title}”. People whose gaps or goals it builds will see it.")
    return redirect(url_for("console.opportunity_page", opportunity_id=o.id), 303)


@console.get("/opportunities/<int:opportunity_id>")
@signed_in(*opportunities.POSTERS)
def opportunity_page(opportunity_id: int):
    session = db.session()
    o = _editable(opportunity_id)
    people = opportunities.interested(session, g.user, o) if o.owner_id == g.user.id else None
    shown = opportunities.to_json(session, o, g.user)
    return render_template("console/opportunity.html", o=shown,
                           skills="\n".join(s["name"] for s in shown["skills"]),
                           kinds=OPPORTUNITY_KINDS,
                           states=OPPORTUNITY_STATES, people=people)


@console.post("/opportunities/<int:opportunity_id>")
@signed_in(*opportunities.POSTERS)
def change_opportunity_page(opportunity_id: int):
    session = db.session()
    o = _editable(opportunity_id)
    try:
        if request.form.get("action") == "accept":
            person = request.form.get("user_id", "")
            if not person.isdecimal() or len(person) > 12:
                raise ApiError("not_interested", "That person has not said they are interested.")
            opportunities.accept(session, g.user, o, int(person))
            flash("Accepted. Let them know what happens next.")
        else:
            opportunities.update(session, g.user, o, _body(request.form))
            flash("Saved." + (" It is no longer shown to anyone." if o.state != "open" else ""))
    except ApiError as exc:
        session.rollback()
        flash(f"Not saved: {exc.message}")
    return redirect(url_for("console.opportunity_page", opportunity_id=opportunity_id), 303)


def _editable(opportunity_id: int) -> Opportunity:
    """One the signed-in person may change (theirs; L&D and admins: any), else 404."""
    o = db.session().get(Opportunity, opportunity_id)
    if o is None or not opportunities.may_edit(o, g.user):
        abort(404)
    return o
