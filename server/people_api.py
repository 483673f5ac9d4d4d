"""The people half of /api/v1: the person's own profile and skills, feedback, roles and gaps."""

from flask import current_app, g, jsonify, request

from . import db
from . import profile as people
from .api import api, json_body
from .auth import require_token
from .errors import ApiError
from .roles import find, match_title, next_roles, role_json


@api.get("/me/profile")
@require_token
def my_profile():
    return jsonify(people.profile_json(current_app, db.session(), g.user))


@api.put("/me/profile")
@require_token
def put_my_profile():
    return jsonify(people.update_profile(current_app, db.session(), g.user, json_body()))


@api.get("/me/export")
@require_token
def export_me():
    """Everything stored about me, as a JSON file to keep."""
    response = jsonify(people.export(current_app, db.session(), g.user))
    response.headers["Content-Disposition"] = f'attachment; filename="jitlearn-{g.user.id}.json"'
    return response


@api.delete("/me/data")
@require_token
def forget_me():
    people.forget(db.session(), g.user)
    return jsonify({"deleted": True, "kept": "your account and its tokens"})


@api.get("/me/skills")
@require_token
def my_skills():
    return jsonify({"skills": people.ratings(db.session(), g.user),
                    "scale": people.scale(current_app)})


@api.post("/me/skills")
@require_token
def rate_my_skill():
    """Self-assessment: {"skill": id or name, "level": 1..n on the proficiency scale}."""
    body = json_body()
    unknown = sorted(set(body) - {"skill", "level"})
    if unknown or "skill" not in body or "level" not in body:
        raise ApiError("invalid_body", "send {\"skill\": \"Programming\", \"level\": 3}")
    rating = people.rate(current_app, db.session(), g.user, body["skill"], body["level"], "self")
    return jsonify({"skill": rating.skill_id, "level": rating.level, "source": "self"}), 201


@api.get("/me/gaps")
@require_token
def my_gaps():
    """Skills my target roles need beyond my levels, by importance x gap, with content."""
    from .gaps import gap_json, my_gaps

    session = db.session()
    gaps = my_gaps(current_app, session, g.user)
    return jsonify({"gaps": [gap_json(current_app, gap, g.user.memberships()) for gap in gaps],
                    "scale": people.scale(current_app)})


@api.get("/me/feed")
@require_token
def my_feed():
    """What to learn next, from every source, ranked: ?page=1&per_page=10"""
    from .feed import MAX_PER_PAGE, page

    number, per_page = request.args.get("page", "1"), request.args.get("per_page", "10")
    if not number.isdigit() or int(number) < 1 or int(number) > 1000:
        raise ApiError("invalid_page", "page is a whole number from 1")
    if not per_page.isdigit() or not 1 <= int(per_page) <= MAX_PER_PAGE:
        raise ApiError("invalid_page", f"per_page is a whole number from 1 to {MAX_PER_PAGE}")
    return jsonify(page(current_app, db.session(), g.user, int(number), int(per_page)))


@api.get("/skills/in-demand")
@require_token
def skills_in_demand():
    """Skills in demand, each with why (rising at work, an admin's flag, job-posting data)."""
    from .demand import in_demand

    return jsonify({"skills": in_demand(current_app, db.session())})


@api.put("/skills/<path:skill_id>/in-demand")
@require_token
def flag_skill(skill_id: str):
    """Admins mark a skill in demand: {"in_demand": true}."""
    from .demand import flag

    body = json_body()
    if set(body) != {"in_demand"}:
        raise ApiError("invalid_body", "send {\"in_demand\": true} or false")
    skill = people.find_skill(db.session(), skill_id)
    flag(db.session(), skill, body["in_demand"])
    return jsonify({"id": skill.id, "name": skill.name, "in_demand": skill.flagged})


@api.get("/team/skills")
@require_token
def team_skills():
    """For a manager: how the team's skills spread over the scale, as counts (5+ people)."""
    return jsonify(people.team_skills(db.session(), g.user))


@api.get("/me/feedback")
@require_token
def my_feedback():
    """All the feedback about me, whoever gave it."""
    return jsonify({"feedback": people.feedback_about(db.session(), g.user, g.user)})


@api.post("/me/feedback-requests")
@require_token
def ask_for_feedback():
    """{"peer": "name"}: that person may now give me feedback."""
    from .people import find_user

    body = json_body()
    if set(body) != {"peer"} or not isinstance(body["peer"], str):
        raise ApiError("invalid_body", "send {\"peer\": \"their user name\"}")
    peer = find_user(db.session(), body["peer"])
    people.ask_peer(db.session(), g.user, peer)
    return jsonify({"asked": peer.name}), 201


@api.get("/people/<int:person_id>/profile")
@require_token
def person_profile(person_id: int):
    session = db.session()
    subject = people.person(session, person_id)
    if not people.may_view(session, g.user, subject):
        raise ApiError("forbidden", "only the person, their manager chain (if they allow it) "
                       "and admins see a profile", 403)
    return jsonify({**people.profile_json(current_app, session, subject),
                    "skills": people.ratings(session, subject)})


@api.post("/people/<int:person_id>/feedback")
@require_token
def give_person_feedback(person_id: int):
    session = db.session()
    subject = people.person(session, person_id)
    return jsonify(people.give_feedback(current_app, session, g.user, subject, json_body())), 201


@api.get("/people/<int:person_id>/feedback")
@require_token
def read_person_feedback(person_id: int):
    session = db.session()
    subject = people.person(session, person_id)
    return jsonify({"feedback": people.feedback_about(session, g.user, subject)})


@api.get("/roles")
@require_token
def search_roles():
    """Roles for a job title: /api/v1/roles?q=Sr.%20Software%20Engineer"""
    title = (request.args.get("q") or "").strip()
    if not title or len(title) > 200:
        raise ApiError("invalid_query", "q is a job title of 1-200 characters")
    matches = match_title(current_app, db.session(), title)
    return jsonify({"query": title, "roles": [
        {"id": m.occupation_id, "title": m.title, "matched": m.matched, "score": m.score}
        for m in matches]})


@api.get("/roles/<path:role_id>/next")
@require_token
def role_next(role_id: str):
    return jsonify({"id": role_id, "next": next_roles(db.session(), role_id)})


@api.get("/roles/<path:role_id>")
@require_token
def role(role_id: str):
    session = db.session()
    return jsonify(role_json(current_app, session, find(session, role_id),
                             g.user.memberships()))
