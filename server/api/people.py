"""The people half of /api/v1: the person's own profile and skills, feedback, roles and gaps."""

from flask import current_app, g, jsonify

from server.api.auth import require_token
from server.api.openapi import (
    ANY_OBJECT,
    BOOL,
    INT,
    ITEM,
    NUM,
    SKILL_REF,
    STR,
    array,
    nullable,
    obj,
    ref,
    spec,
    text,
)
from server.api.views import api, json_body, query
from server.career.roles import find, match_title, next_roles, role_json, same_roles, scale
from server.content.reading import with_addresses
from server.errors import ApiError
from server.people import person_feedback, profile, ratings, visibility
from server.people.demand import flag, in_demand
from server.people.feed import MAX_PER_PAGE, page
from server.people.gaps import overview
from server.storage import db

GAP = obj({"skill": SKILL_REF, "importance": NUM, "required": INT, "current": INT,
           "current_from": STR, "why": STR, "required_label": STR, "roles": array(STR),
           "score": NUM, "content": array(ITEM)})
PROFILE_CHANGES = obj({}, {"current_title": text(200), "role_id": nullable(text(200)),
                           "department": text(100), "location": text(100),
                           "target_roles": array(text(200), 10), "goals": array(text(300), 20),
                           "languages": array(text(20), 10),
                           "privacy": {"type": "object", "additionalProperties": BOOL}},
                      closed=True)
PERSON_ID = (404,)


@api.get("/me/profile")
@spec("My profile", ok=ref("Profile"))
@require_token
def my_profile():
    return jsonify(profile.profile_json(current_app, db.session(), g.user))


@api.put("/me/profile")
@spec("Change my profile: only the fields sent change", body=PROFILE_CHANGES, ok=ref("Profile"),
      errors=(404,))
@require_token
def put_my_profile():
    return jsonify(profile.update_profile(current_app, db.session(), g.user, json_body()))


@api.get("/me/export")
@spec(ok=obj({"account": ANY_OBJECT, "profile": ref("Profile"), "skills": array(ref("Rating"))}))
@require_token
def export_me():
    """Everything stored about me, as a JSON file to keep."""
    response = jsonify(profile.export(current_app, db.session(), g.user))
    response.headers["Content-Disposition"] = f'attachment; filename="jitlearn-{g.user.id}.json"'
    return response


@api.delete("/me/data")
@spec("Forget everything about me but my account", ok=obj({"deleted": BOOL, "kept": STR}))
@require_token
def forget_me():
    profile.forget(db.session(), g.user)
    db.checkpoint(db.session())
    return jsonify({"deleted": True, "kept": "your account and its tokens"})


@api.get("/me/skills")
@spec("My skill ratings by source", ok=obj({"skills": array(ref("Rating")), "scale": array(STR)}))
@require_token
def my_skills():
    return jsonify({"skills": ratings.ratings(db.session(), g.user),
                    "scale": scale(current_app)})


@api.post("/me/skills")
@spec(body=obj({"skill": text(300, 1), "level": {"type": "integer", "minimum": 1}}, closed=True),
      ok=obj({"skill": STR, "level": INT, "source": STR}), status=201, errors=(404,))
@require_token
def rate_my_skill():
    """Self-assessment: {"skill": id or name, "level": 1..n on the proficiency scale}."""
    body = json_body()
    rating = ratings.rate(current_app, db.session(), g.user, body["skill"], body["level"], "self")
    return jsonify({"skill": rating.skill_id, "level": rating.level, "source": "self"}), 201


@api.get("/me/gaps")
@spec(ok=obj({"gaps": array(GAP), "scale": array(STR), "no_skills_data": array(STR),
              "duties": array(obj({"task": STR, "role": STR, "content": array(ITEM)}))}))
@require_token
def my_gaps():
    """Skills my target roles need beyond my levels, by importance x gap, with content;
    duties: what the target roles do that my current role does not (O*NET's tasks), with
    content; no_skills_data: target roles the career data says nothing about."""
    answer = overview(current_app, db.session(), g.user)
    for item in answer["gaps"] + answer["duties"]:
        with_addresses(current_app, g.user, item["content"])
    return jsonify({**answer, "scale": scale(current_app)})


FEED_ITEM = obj({"id": STR, "title": STR, "url": STR, "type": STR, "summary": STR,
                 "source": STR, "reason": STR, "also": array(STR), "score": NUM})


@api.get("/me/feed")
@spec(query={"page": ({"type": "integer", "minimum": 1, "maximum": 1000}, False),
             "per_page": ({"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE}, False),
             "mandatory": ({"type": "string", "enum": ["inline", "apart"]}, False)},
      ok=obj({"request_id": STR, "page": INT, "per_page": INT, "total": INT,
              "items": array(FEED_ITEM), "opportunities": array(ANY_OBJECT)},
             {"mandatory": array(FEED_ITEM)}))
@require_token
def my_feed():
    """What to learn next, from every source, ranked: ?page=1&per_page=10. With
    mandatory=apart, the mandatory items not yet acknowledged come in a block of their own
    ("mandatory", the most urgent first, not paged) and the pages hold the rest."""
    asked = query()
    answer = page(current_app, db.session(), g.user, asked.get("page", 1),
                  asked.get("per_page", 10), mandatory_apart=asked.get("mandatory") == "apart")
    with_addresses(current_app, g.user, answer["items"] + answer.get("mandatory", []))
    return jsonify(answer)


@api.get("/skills/in-demand")
@spec(ok=obj({"skills": array(obj({"id": STR, "name": STR, "why": array(STR)}))}))
@require_token
def skills_in_demand():
    """Skills in demand, each with why (rising at work, an admin's flag, job-posting data)."""
    return jsonify({"skills": in_demand(current_app, db.session())})


@api.put("/skills/<path:skill_id>/in-demand")
@spec(body=obj({"in_demand": BOOL}, closed=True), errors=(404,),
      ok=obj({"id": STR, "name": STR, "in_demand": BOOL}))
@require_token
def flag_skill(skill_id: str):
    """Admins mark a skill in demand: {"in_demand": true}."""
    body = json_body()
    skill = ratings.find_skill(db.session(), skill_id)
    flag(db.session(), skill, body["in_demand"])
    return jsonify({"id": skill.id, "name": skill.name, "in_demand": skill.flagged})


@api.get("/team/skills")
@spec(ok=obj({"skills": array(obj({"id": STR, "name": STR, "people": INT,
                                     "levels": {"type": "object",
                                                "additionalProperties": INT}}))}))
@require_token
def team_skills():
    """For a manager: how the team's skills spread over the scale, as counts (5+ people)."""
    return jsonify(ratings.team_skills(db.session(), g.user))


@api.get("/me/feedback")
@spec(ok=obj({"feedback": array(ref("PersonFeedback"))}))
@require_token
def my_feedback():
    """All the feedback about me, whoever gave it."""
    return jsonify({"feedback": person_feedback.feedback_about(db.session(), g.user, g.user)})


@api.post("/me/feedback-requests")
@spec(body=obj({"peer": text(200, 1)}, closed=True), ok=obj({"asked": STR}), status=201)
@require_token
def ask_for_feedback():
    """{"peer": "name"}: that person may now give me feedback. The answer is the same whether
    or not the name has an account: this is no way to find out who works here."""
    name = json_body()["peer"].strip()
    person_feedback.ask_by_name(db.session(), g.user, name)
    return jsonify({"asked": name}), 201



@api.get("/people/<int:person_id>/profile")
@spec("A person's profile, for those their rules allow", errors=PERSON_ID,
      ok={"allOf": [ref("Profile"), obj({"skills": array(ref("Rating"))})]})
@require_token
def person_profile(person_id: int):
    session = db.session()
    subject = visibility.person(session, g.user, person_id)
    if subject is None or not visibility.may_view(session, g.user, subject):
        raise ApiError("forbidden", "only the person, their manager chain (if they allow it) "
                       "and admins see a profile", 403)
    return jsonify({**profile.profile_json(current_app, session, subject),
                    "skills": ratings.ratings(session, subject)})


@api.post("/people/<int:person_id>/feedback")
@spec("Feedback for a report (as their manager) or a peer who asked", errors=PERSON_ID,
      status=201, ok=ref("PersonFeedback"),
      body=obj({}, {"skills": array(text(300), 20), "note": text(2000), "shared": BOOL,
                    "ratings": {"type": "object", "maxProperties": 20,
                                "additionalProperties": INT}}, closed=True))
@require_token
def give_person_feedback(person_id: int):
    session = db.session()
    subject = visibility.person(session, g.user, person_id)
    if subject is None:
        raise ApiError("forbidden", visibility.FEEDBACK_REFUSED, 403)
    given = person_feedback.give_feedback(current_app, session, g.user, subject, json_body())
    return jsonify(given), 201


@api.get("/people/<int:person_id>/feedback")
@spec("The feedback about a person that the caller may read", errors=PERSON_ID,
      ok=obj({"feedback": array(ref("PersonFeedback"))}))
@require_token
def read_person_feedback(person_id: int):
    session = db.session()
    subject = visibility.person(session, g.user, person_id)
    if subject is None:
        return jsonify({"feedback": []})  # as for anyone the caller gave no feedback
    return jsonify({"feedback": person_feedback.feedback_about(session, g.user, subject)})


@api.get("/roles")
@spec(query={"q": (text(200, 1), True)}, ok=obj({"query": STR, "roles": array(obj(
    {"id": STR, "title": STR, "matched": STR, "score": NUM, "source": STR,
     "same": array(obj({"id": STR, "title": STR, "source": STR}))}))}))
@require_token
def search_roles():
    """Roles for a job title, best first: /api/v1/roles?q=Sr.%20Software%20Engineer. Among
    matches about as good, the organisation's own roles come first, then O*NET's, then ESCO's
    (source says which); roles related to the caller's own come before others as good. Each
    role lists the occupations of the other source that are it ("same": an O*NET occupation's
    ESCO names, an ESCO occupation's O*NET one)."""
    title = query()["q"].strip()
    session = db.session()
    matches = match_title(current_app, session, title,
                          near=visibility.profile_of(session, g.user).occupation_id)
    same = same_roles(session, [m.occupation_id for m in matches])
    return jsonify({"query": title, "roles": [
        {"id": m.occupation_id, "title": m.title, "matched": m.matched, "score": m.score,
         "source": m.occupation_id.split(":", 1)[0], "same": same.get(m.occupation_id, [])}
        for m in matches]})


@api.get("/roles/<path:role_id>/next")
@spec("Roles people move to from this one", errors=(404,), ok=obj({"id": STR, "next": array(obj(
    {"id": STR, "title": STR, "rank": INT, "tier": STR, "shared_skills": INT,
     "new_skills": INT}))}))
@require_token
def role_next(role_id: str):
    return jsonify({"id": role_id, "next": next_roles(db.session(), role_id)})


@api.get("/roles/<path:role_id>")
@spec("A role with its skills and content for the most important", errors=(404,),
      ok=obj({"id": STR, "title": STR, "source": STR, "description": STR,
              "job_zone": nullable(INT), "scale": array(STR),
              "skills": array(obj({"id": STR, "name": STR}))}))
@require_token
def role(role_id: str):
    session = db.session()
    return jsonify(role_json(current_app, session, find(session, role_id),
                             g.user.memberships()))
