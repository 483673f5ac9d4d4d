"""Who may see or write what about a person, decided here in one place:
- the person sees and edits everything about themselves, exports it and deletes it;
- their manager chain (manager, manager's manager, ...) gives feedback and, of feedback, sees
  what it gave or what was shared with it; it sees the profile and ratings only if the person
  chose to share them, and otherwise the team's skills as counts over 5 or more people;
- a peer gives feedback only when the person asked them, and sees only what they gave;
- admins see everything; everyone else is refused."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.errors import ApiError
from server.storage.models import (
    FeedbackRequest,
    Profile,
    User,
)

# The person's choices. A manager sees a report's own profile and ratings only when the report
# opts in: by default managers see their team as counts over 5 or more people (team_skills).
PRIVACY = {"personalize": True,  # suggestions and the feed use the profile
           "share_with_manager": False}  # the manager chain sees profile and ratings


def profile_of(db: Session, user: User) -> Profile:
    return db.get(Profile, user.id) or Profile(user_id=user.id, target_roles=[], goals=[],
                                               languages=[], privacy={})


def privacy_of(db: Session, user: User, profile: Profile | None = None) -> dict:
    """The person's privacy choices; profile: theirs, when the caller has read it already."""
    return {**PRIVACY, **((profile or profile_of(db, user)).privacy or {})}


def chain(db: Session, user: User) -> list[int]:
    """Ids of the person's managers, nearest first (cycles stop it)."""
    out, seen, current = [], {user.id}, user.manager_id
    while current is not None and current not in seen:
        out.append(current)
        seen.add(current)
        current = db.scalar(select(User.manager_id).where(User.id == current))
    return out


def reports(db: Session, manager: User) -> list[int]:
    """Ids of everyone below a manager, directly or not (one query, walked in memory)."""
    below: dict[int, list[int]] = {}
    for user_id, boss in db.execute(select(User.id, User.manager_id)):
        if boss is not None:
            below.setdefault(boss, []).append(user_id)
    out, todo, seen = [], list(below.get(manager.id, [])), {manager.id}
    while todo:
        user_id = todo.pop()
        if user_id not in seen:
            seen.add(user_id)
            out.append(user_id)
            todo.extend(below.get(user_id, []))
    return out


def person(db: Session, viewer: User, person_id: int) -> User | None:
    """The person with this id; None to anyone but an admin when there is none, so that the
    answer about an unknown id is the one about somebody the viewer may not see."""
    user = db.get(User, person_id)
    if user is None and viewer.role == "admin":
        raise ApiError("no_such_person", f"no person with id {person_id}", 404)
    return user


def may_view(db: Session, viewer: User, subject: User) -> bool:
    """Profile and ratings: the person, admins, and the manager chain if the person allows."""
    if viewer.id == subject.id or viewer.role == "admin":
        return True
    return viewer.id in chain(db, subject) and privacy_of(db, subject)["share_with_manager"]


FEEDBACK_REFUSED = "only someone in their reporting line, or a peer they asked, gives feedback"


def relation(db: Session, author: User, subject: User) -> str:
    """'manager' or 'peer' if author may give subject feedback; ApiError 403 otherwise."""
    if author.id == subject.id:
        raise ApiError("forbidden", "feedback is for others; rate your own skills with "
                       "POST /api/v1/me/skills", 403)
    if author.id in chain(db, subject):
        return "manager"
    asked = db.scalar(select(FeedbackRequest.id).where(FeedbackRequest.subject_id == subject.id,
                                                       FeedbackRequest.peer_id == author.id))
    if asked is not None:
        return "peer"
    raise ApiError("forbidden", FEEDBACK_REFUSED, 403)
