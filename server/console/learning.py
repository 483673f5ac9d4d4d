"""My learning: an employee's home in the console. Role and target roles, goals, skills rated on
the scale, the gaps to each target role with what to start with, the feed (mandatory items in a
block of their own), what they kept or finished, feedback, and their data to export or delete.

Everything here is what the API's /me/* operations do, through the same functions; the console
runs no script, so every change is a form and every form comes back to this page."""

import json

from flask import Response, current_app, flash, g, redirect, render_template, request, url_for
from flask import session as cookie
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.career.roles import match_title, needs, same_roles, scale
from server.console.accounts import authenticate, set_password
from server.console.views import confirmation, console, signed_in
from server.content.reading import with_addresses
from server.errors import ApiError
from server.people import experts, opportunities, person_feedback
from server.people.feed import page
from server.people.gaps import overview
from server.people.profile import MAX_TARGETS, export, forget, profile_json, update_profile
from server.people.ratings import rate, ratings
from server.people.users import create_token
from server.runtime import index_of
from server.storage import audit, db
from server.storage.models import Feedback, Skill, SkillRating, User
from server.suggest.feedback import record_action

PER_PAGE = 10
KEPT = (("helpful", "Marked useful"), ("snoozed", "Snoozed"), ("completed", "Done"),
        ("acknowledged", "Acknowledged"))
FEED_ACTIONS = {"acknowledged", "helpful", "snoozed", "completed", "dismissed"}


@console.get("/me")
@signed_in()
def me():
    """My learning: everything about my own learning on one page."""
    return _page()


def _page(token: str | None = None):
    session_, app = db.session(), current_app
    profile = profile_json(app, session_, g.user)
    number = request.args.get("page", "1")
    number = int(number) if number.isdecimal() and 0 < int(number) <= 1000 else 1
    feed = page(app, session_, g.user, number, PER_PAGE, mandatory_apart=True)
    with_addresses(app, g.user, feed["items"] + feed["mandatory"])
    career = overview(app, session_, g.user)
    for item in career["gaps"] + career["duties"]:
        with_addresses(app, g.user, item["content"])
    looked = request.args.get("role_q", "").strip()[:200]
    found = match_title(app, session_, looked, 8, (profile["role"] or {}).get("id")) \
        if looked else []
    return render_template(
        "console/me.html", profile=profile, scale=scale(app), skills=_rated(session_, g.user),
        to_rate=_to_rate(session_, profile), gaps=career["gaps"],
        unknown=career["no_skills_data"], duties=career["duties"],
        mandatory=feed["mandatory"],
        feed=feed["items"], request_id=feed["request_id"], page=number, per_page=PER_PAGE,
        more=feed["total"] > number * PER_PAGE,
        kept=_kept(session_, g.user), received=person_feedback.feedback_about(
            session_, g.user, g.user), looked=looked,
        found=found, same=same_roles(session_, [m.occupation_id for m in found]),
        sources=SOURCES, opportunities=opportunities.for_person(app, session_, g.user, 5),
        interest=opportunities.mine(session_, g.user),
        expertise=experts.mine(session_, g.user), evidence=EVIDENCE,
        max_targets=MAX_TARGETS, token=token)


SOURCES = {"org": "our roles", "onet": "O*NET", "esco": "ESCO"}  # where a role comes from
EVIDENCE = (("rating", "my rating of it"), ("role", "my role"),
            ("documents", "documents I own on it"))  # what an expert may show beside their name


def _rated(session_: Session, user: User) -> list[dict]:
    """My ratings, each source with its level and when it was given (the latest)."""
    when = {(r.skill_id, r.source): r.created_at for r in session_.scalars(
        select(SkillRating).where(SkillRating.user_id == user.id)
        .order_by(SkillRating.created_at, SkillRating.id))}
    rated = ratings(session_, user)
    for skill in rated:
        skill["by"] = [(source, level, when.get((skill["id"], source)))
                       for source, level in skill["levels"].items()]
    return rated


def _to_rate(session_: Session, profile: dict) -> list[tuple[str, str]]:
    """Skills worth rating: those my role and target roles need, most important first."""
    seen, out = set(), []
    roles = [t["id"] for t in profile["target_roles"]]
    roles += [profile["role"]["id"]] if profile["role"] else []
    for role_id in roles:
        for skill, _ in needs(session_, role_id):  # by importance
            if skill.id not in seen:
                seen.add(skill.id)
                out.append((skill.id, skill.name))
    return out


def _kept(session_: Session, user: User) -> list[tuple[str, list[dict]]]:
    """What I marked useful, snoozed, finished or acknowledged, newest first."""
    index = index_of(current_app)
    out = []
    for action, label in KEPT:
        rows = session_.scalars(select(Feedback).where(
            Feedback.user_id == user.id, Feedback.action == action)
            .order_by(Feedback.created_at.desc()).limit(50))
        items, seen = [], set()
        for row in rows:
            hit = index.get(row.content_id, user.memberships())
            if hit is not None and row.content_id not in seen:
                seen.add(row.content_id)
                items.append({"id": hit.id, "title": hit.title, "url": hit.url,
                              "when": row.created_at})
        with_addresses(current_app, user, items)
        out.append((label, items))
    return out


@console.post("/me")
@signed_in()
def change_me():
    """Every form of My learning posts here, named by its action."""
    session_, action = db.session(), request.form.get("action", "")
    form = request.form
    try:
        if action == "profile":
            goals = [x.strip() for x in form.get("goals", "").splitlines()]
            update_profile(current_app, session_, g.user, {
                "current_title": form.get("current_title", ""),
                "department": form.get("department", ""), "goals": [x for x in goals if x]})
            flash("Profile saved.")
        elif action in ("add_target", "remove_target", "set_role"):
            _roles(session_, action, form.get("role_id", ""))
        elif action == "rate":
            level = form.get("level", "")
            if not level.isdecimal():
                raise ApiError("no_level", "Pick a level for the skill; nothing was saved.")
            rated = rate(current_app, session_, g.user, form.get("skill", ""), int(level), "self")
            flash(f"Saved: {session_.get(Skill, rated.skill_id).name} at "
                  f"{scale(current_app)[rated.level - 1]}.")
        elif action == "feed":
            _feed_action(session_, form)
        elif action == "ask_peer":
            _ask(session_, form.get("peer", "").strip())
        elif action == "password":
            if g.user.password_hash and authenticate(
                    session_, g.user.name, form.get("current_password", "")) is None:
                raise ApiError("wrong_password", "Your current password is not right; "
                               "the password was not changed.")
            set_password(session_, g.user, form.get("password", ""), keep_session=cookie.sid)
            audit.record(session_, g.user.name, "password.change", g.user.name)
            session_.commit()
            flash("Password set. Your other sessions are signed out.")
        elif action in ("interest", "withdraw_interest"):
            _interest(session_, action, form)
        elif action == "offer_expertise":
            skill = form.get("skill", "")
            experts.add(session_, g.user, skill, {k: form.get(k) == "on" for k, _ in EVIDENCE},
                        form.get("groups", "")[:1300])
            flash(f"Colleagues may now ask you about {_skill_name(session_, skill)}.")
        elif action == "withdraw_expertise":
            experts.withdraw(session_, g.user, form.get("skill", ""))
            flash(f"Nobody is pointed to you for {_skill_name(session_, form.get('skill', ''))} "
                  "any more.")
        elif action == "token":  # shown once, on this answer only
            return _page(create_token(session_, g.user, "extension"))
        else:
            raise ApiError("unknown_action", "That form is not one of this page's.")
    except ApiError as exc:
        flash(exc.message)
    anchor = {"rate": "skills-h", "feed": "feed-h", "ask_peer": "feedback-h",
              "interest": "opps-h", "withdraw_interest": "opps-h",
              "offer_expertise": "experts-h", "withdraw_expertise": "experts-h",
              "add_target": "targets-h", "remove_target": "targets-h"}.get(action, "")
    return redirect(url_for("console.me") + (f"#{anchor}" if anchor else ""), 303)


def _skill_name(session_: Session, skill_id: str) -> str:
    skill = session_.get(Skill, skill_id)
    return skill.name if skill else skill_id


def _interest(session_: Session, action: str, form) -> None:
    number = form.get("opportunity", "")
    if not number.isdecimal() or len(number) > 12:
        raise ApiError("no_such_opportunity", "That opportunity does not exist.")
    o = opportunities.get(session_, g.user, int(number))
    if action == "interest":
        opportunities.say_interested(session_, g.user, o, form.get("note", "")[:500])
        flash(f"Told the owner of “{o.title}” you're interested; only they see it.")
    else:
        opportunities.withdraw(session_, g.user, o)
        flash(f"You're no longer listed as interested in “{o.title}”.")


def _roles(session_: Session, action: str, role_id: str) -> None:
    profile = profile_json(current_app, session_, g.user)
    targets = [t["id"] for t in profile["target_roles"]]
    if action == "set_role":
        update_profile(current_app, session_, g.user, {"role_id": role_id})
        flash("Your role is changed.")
        return
    if action == "add_target":
        if role_id in targets:
            raise ApiError("already", "That role is already one of your targets.")
        targets.append(role_id)
    else:
        targets = [t for t in targets if t != role_id]
    update_profile(current_app, session_, g.user, {"target_roles": targets})
    flash("Target roles saved.")


def _feed_action(session_: Session, form) -> None:
    what = form.get("what", "")
    if what not in FEED_ACTIONS:
        raise ApiError("unknown_action", "That is not something to do with a feed item.")
    record_action(current_app, session_, index_of(current_app), g.user.id,
                  form.get("request_id", ""), form.get("content_id", ""), what)
    flash({"acknowledged": "Acknowledged.", "helpful": "Kept as useful.",
           "snoozed": "Snoozed for a week.", "completed": "Marked done.",
           "dismissed": "It will not come back."}[what])


def _ask(session_: Session, name: str) -> None:
    if not name:
        raise ApiError("no_peer", "Type the name of the colleague to ask.")
    person_feedback.ask_by_name(session_, g.user, name)
    flash(f"If {name} has an account here, they can now give you feedback.")


@console.get("/me/export")
@signed_in()
def export_me():
    """Everything stored about me, as a JSON file to keep."""
    body = json.dumps(export(current_app, db.session(), g.user), indent=1, default=str)
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="jitlearn-{g.user.id}.json"'})


@console.post("/me/delete")
@signed_in()
def delete_me():
    asked = confirmation(
        "Delete everything jitlearn stores about you?",
        "Your profile, goals, target roles, skill ratings, feedback and the record of what was "
        "suggested to you are deleted for good. Your account stays, so you can still sign in.",
        "Delete my data", url_for("console.me"))
    if asked is not None:
        return asked
    forget(db.session(), g.user)
    db.checkpoint(db.session())
    flash("Everything about you is deleted; your account is kept.")
    return redirect(url_for("console.me"), 303)
