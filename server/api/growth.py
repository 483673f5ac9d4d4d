"""Beyond documents in /api/v1: stretch opportunities, interest in them, and who may be asked."""

from flask import current_app, g, jsonify

from server.api.auth import require_token
from server.api.openapi import BOOL, INT, NUM, SKILL_REF, STR, array, nullable, obj, spec, text
from server.api.views import api, json_body, query
from server.errors import ApiError
from server.people import experts, opportunities
from server.storage import db
from server.storage.models import OPPORTUNITY_KINDS, OPPORTUNITY_STATES

DATE = nullable({"type": "string", "format": "date", "maxLength": 10})
FIELDS = {"title": text(200, 1), "description": text(5000),
          "kind": {"enum": list(OPPORTUNITY_KINDS)},
          "skills": array(text(300, 1), opportunities.MAX_SKILLS),
          "open_until": DATE, "starts": DATE, "ends": DATE,
          "hours_per_week": nullable({"type": "number", "exclusiveMinimum": 0, "maximum": 80}),
          "places": array(text(100, 1), opportunities.MAX_PLACES),
          "audience": array(text(60, 1), opportunities.MAX_GROUPS),
          "state": {"enum": list(OPPORTUNITY_STATES)}, "owner": text(200, 1)}
OPPORTUNITY = obj({"id": INT, "title": STR, "description": STR, "kind": STR,
                   "skills": array(SKILL_REF), "open_until": nullable(STR),
                   "starts": nullable(STR), "ends": nullable(STR),
                   "hours_per_week": nullable(NUM), "places": array(STR),
                   "audience": array(STR), "state": STR, "when": STR, "owner": STR,
                   "source": STR, "my_interest": nullable(STR)},
                  {"why": STR, "interested": INT})
EXPERTISE = obj({"skill": SKILL_REF, "show": obj({"rating": BOOL, "role": BOOL,
                                                  "documents": BOOL}), "groups": array(STR),
                 "since": STR})
SHOW = obj({}, {k: BOOL for k in experts.EVIDENCE}, closed=True)


@api.get("/opportunities")
@spec(query={"mine": ({"enum": ["true", "false"]}, False),
             "state": ({"enum": list(OPPORTUNITY_STATES)}, False)},
      ok=obj({"opportunities": array(OPPORTUNITY)}))
@require_token
def list_opportunities():
    """Open opportunities meant for me; ?mine=true: those I own (L&D and admins: all), in any
    state or the one asked for."""
    args = query()
    mine = args.get("mine") == "true"
    if mine and g.user.role not in opportunities.POSTERS:
        raise ApiError("forbidden_role", "only managers, L&D and admins own opportunities", 403)
    session = db.session()
    found = opportunities.listing(session, g.user, mine, args.get("state", ""))
    return jsonify({"opportunities": [opportunities.to_json(session, o, g.user) for o in found]})


@api.get("/me/opportunities")
@spec(ok=obj({"opportunities": array(OPPORTUNITY), "interest": array(obj(
    {"opportunity": INT, "title": STR, "state": STR, "note": STR, "open": BOOL, "at": STR}))}))
@require_token
def my_opportunities():
    """Open opportunities that build my gaps and goals, each with why; and where I said I am
    interested."""
    session = db.session()
    return jsonify({"opportunities": opportunities.for_person(current_app, session, g.user, 10),
                    "interest": opportunities.mine(session, g.user)})


@api.post("/opportunities")
@spec(body=obj({"title": text(200, 1)}, {k: v for k, v in FIELDS.items() if k != "title"},
               closed=True), ok=OPPORTUNITY, status=201, errors=(404,))
@require_token
def create_opportunity():
    """Post an opportunity: {"title", "skills": [id or name], "hours_per_week", "ends", ...}."""
    session = db.session()
    o = opportunities.create(session, g.user, json_body())
    return jsonify(opportunities.to_json(session, o, g.user)), 201


@api.get("/opportunities/<int:opportunity_id>")
@spec(ok=OPPORTUNITY, errors=(404,))
@require_token
def opportunity(opportunity_id: int):
    """One opportunity (404 for one that is not open to me)."""
    session = db.session()
    return jsonify(opportunities.to_json(
        session, opportunities.get(session, g.user, opportunity_id), g.user))


@api.patch("/opportunities/<int:opportunity_id>")
@spec(body=obj({}, FIELDS, closed=True), ok=OPPORTUNITY, errors=(404,))
@require_token
def change_opportunity(opportunity_id: int):
    """Change an opportunity (its owner, L&D, admins); {"state": "filled"} takes it down."""
    session = db.session()
    o = opportunities.update(session, g.user,
                             opportunities.get(session, g.user, opportunity_id), json_body())
    return jsonify(opportunities.to_json(session, o, g.user))


@api.put("/opportunities/<int:opportunity_id>/interest")
@spec(body=obj({}, {"note": text(opportunities.MAX_NOTE)}, closed=True),
      ok=obj({"opportunity": INT, "state": STR}), errors=(404, 409))
@require_token
def say_interested(opportunity_id: int):
    """I'm interested (with a line to the owner, if I like); only the owner sees it."""
    session = db.session()
    body = json_body()
    return jsonify(opportunities.say_interested(
        session, g.user, opportunities.get(session, g.user, opportunity_id),
        body.get("note", "")))


@api.delete("/opportunities/<int:opportunity_id>/interest")
@spec("I am no longer interested", ok=obj({"opportunity": INT, "state": nullable(STR)}),
      errors=(404,))
@require_token
def withdraw_interest(opportunity_id: int):
    session = db.session()
    opportunities.withdraw(session, g.user, opportunities.get(session, g.user, opportunity_id))
    return jsonify({"opportunity": opportunity_id, "state": None})


@api.get("/opportunities/<int:opportunity_id>/interest")
@spec("Who is interested (the owner only)", errors=(404,), ok=obj({"interested": array(obj(
    {"user_id": INT, "name": STR, "email": STR, "note": STR, "state": STR, "at": STR}))}))
@require_token
def interested_people(opportunity_id: int):
    session = db.session()
    o = opportunities.get(session, g.user, opportunity_id)
    return jsonify({"interested": opportunities.interested(session, g.user, o)})


@api.post("/opportunities/<int:opportunity_id>/interest/<int:user_id>/accept")
@spec("Accept an interested person (the owner only)", errors=(404,),
      ok=obj({"opportunity": INT, "user_id": INT, "state": STR}))
@require_token
def accept_interest(opportunity_id: int, user_id: int):
    session = db.session()
    o = opportunities.get(session, g.user, opportunity_id)
    return jsonify(opportunities.accept(session, g.user, o, user_id))


@api.get("/me/expertise")
@spec("The skills I said I may be asked about", ok=obj({"expertise": array(EXPERTISE)}))
@require_token
def my_expertise():
    return jsonify({"expertise": experts.mine(db.session(), g.user)})


@api.put("/me/expertise")
@spec(body=obj({"skills": array(obj({"skill": text(300, 1)},
                                    {"show": SHOW, "groups": array(text(60, 1), 20)},
                                    closed=True), experts.MAX_SKILLS)}, closed=True),
      ok=obj({"expertise": array(EXPERTISE)}), errors=(404,))
@require_token
def offer_expertise():
    """Say which skills I may be asked about, and what to show beside my name: {"skills":
    [{"skill": id or name, "show": {"rating": true, "role": true, "documents": false},
    "groups": ["finance"]}]} (the whole list; an empty one withdraws from all; groups: only
    people in them are pointed to me, none: everyone)."""
    return jsonify({"expertise": experts.offer(db.session(), g.user, json_body()["skills"])})


@api.delete("/me/expertise/<path:skill_id>")
@spec("I may no longer be asked about this skill", ok=obj({"expertise": array(EXPERTISE)}))
@require_token
def withdraw_expertise(skill_id: str):
    session = db.session()
    experts.withdraw(session, g.user, skill_id)
    return jsonify({"expertise": experts.mine(session, g.user)})
