"""Users and groups as SCIM represents them, and SCIM's values turned into jitlearn's."""

import uuid

from sqlalchemy import func, select

from server.console.accounts import deactivate
from server.errors import ApiError
from server.integrations.scim.schema import ENTERPRISE, GROUP, USER, ScimError, base_url
from server.people.users import add_user, set_groups, set_manager
from server.storage import db
from server.storage.models import DirectoryGroup, DirectoryMember, Profile, User, now


def _stamp(moment) -> str:
    return moment.replace(microsecond=0).isoformat() + "Z"


def user_doc(user: User) -> dict:
    session = db.session()
    doc = {"schemas": [USER, ENTERPRISE], "id": user.directory_id, "userName": user.name,
           "active": bool(user.active)}
    if user.external_id:
        doc["externalId"] = user.external_id
    if user.display_name:
        doc["displayName"] = user.display_name
    if user.email:
        doc["emails"] = [{"value": user.email}]
    groups = session.scalars(select(DirectoryGroup).join(DirectoryMember).where(
        DirectoryMember.user_id == user.id).order_by(DirectoryGroup.display_name)).all()
    if groups:
        doc["groups"] = [{"value": grp.id, "$ref": f"{base_url()}/Groups/{grp.id}",
                          "display": grp.display_name} for grp in groups]
    extension = {}
    if user.employee_number:
        extension["employeeNumber"] = user.employee_number
    profile = session.get(Profile, user.id)
    if profile is not None and profile.department:
        extension["department"] = profile.department
    boss = session.get(User, user.manager_id) if user.manager_id else None
    if boss is not None:
        extension["manager"] = {"value": boss.directory_id,
                                "$ref": f"{base_url()}/Users/{boss.directory_id}"}
    if extension:
        doc[ENTERPRISE] = extension
    doc["meta"] = {"resourceType": "User", "created": _stamp(user.created_at),
                   "lastModified": _stamp(user.updated_at or user.created_at),
                   "location": f"{base_url()}/Users/{doc['id']}"}
    return doc


def group_doc(group: DirectoryGroup) -> dict:
    members = db.session().scalars(select(User).join(DirectoryMember).where(
        DirectoryMember.group_id == group.id).order_by(User.id)).all()
    doc = {"schemas": [GROUP], "id": group.id, "displayName": group.display_name}
    if group.external_id:
        doc["externalId"] = group.external_id
    if members:
        doc["members"] = [{"value": m.directory_id, "$ref": f"{base_url()}/Users/{m.directory_id}"}
                          for m in members]
    doc["meta"] = {"resourceType": "Group", "created": _stamp(group.created_at),
                   "lastModified": _stamp(group.updated_at),
                   "location": f"{base_url()}/Groups/{group.id}"}
    return doc


def _text(value, name: str, limit: int, required: bool = False) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or len(value.strip()) > limit or (required and
                                                                    not value.strip()):
        raise ScimError(f"{name} is {'a non-empty' if required else 'a'} string of at most "
                        f"{limit} characters", 400, "invalidValue")
    return value.strip()


def _flag(value, name: str) -> bool:
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"  # some directories send booleans as strings
    if not isinstance(value, bool):
        raise ScimError(f"{name} is true or false", 400, "invalidValue")
    return value


def _reference(session, value, name: str) -> User | None:
    if value is None:
        return None
    ident = value.get("value") if isinstance(value, dict) else None
    if not isinstance(ident, str):
        raise ScimError(f"{name} needs a value: a user's id", 400, "invalidValue")
    user = session.scalar(select(User).where(User.directory_id == ident))
    if user is None:
        raise ScimError(f"{name}: no user with id {ident!r}", 400, "invalidValue")
    return user


def _unique(session, model, column, value, me, what: str, exact: bool = False) -> None:
    """409 when another row has value (case aside, unless exact: SCIM's caseExact)."""
    if value is None:
        return
    other = session.scalar(select(model).where(
        column == value if exact else func.lower(column) == value.lower()))
    if other is not None and other is not me:
        raise ScimError(f"another resource already has this {what}", 409, "uniqueness")


def apply_user(user: User | None, doc: dict) -> User:
    """Make a new user from doc, or set an existing one to it (the whole representation)."""
    session = db.session()
    name = _text(doc.get("userName"), "userName", 100, required=True)
    external = _text(doc.get("externalId"), "externalId", 200) or None
    display = _text(doc.get("displayName"), "displayName", 200)
    emails = doc.get("emails") or []
    if not isinstance(emails, list) or not all(isinstance(e, dict) for e in emails):
        raise ScimError("emails is a list of {value, primary}", 400, "invalidValue")
    chosen = next((e for e in emails if e.get("primary") is True), emails[0] if emails else {})
    email = _text(chosen.get("value"), "emails.value", 200) or None
    # without "active" an account stays as it was (a new one is active): a PUT that leaves it
    # out never re-admits someone who was deactivated
    active = _flag(doc["active"], "active") if "active" in doc else (
        user.active if user is not None else True)
    # without the enterprise extension, what it holds stays as it was: a directory that does
    # not manage departments does not wipe the one a person entered on their profile
    managed = ENTERPRISE in doc
    extension = doc.get(ENTERPRISE) or {}
    if not isinstance(extension, dict):
        raise ScimError(f"{ENTERPRISE} is an object", 400, "invalidValue")
    number = _text(extension.get("employeeNumber"), "employeeNumber", 100)
    department = _text(extension.get("department"), "department", 100)
    boss = _reference(session, extension.get("manager"), "manager")
    _unique(session, User, User.name, name, user, "userName")
    _unique(session, User, User.external_id, external, user, "externalId", exact=True)
    if user is None:
        user = add_user(session, name)
    user.name, user.external_id, user.display_name, user.email = name, external, display, email
    user.updated_at = now()  # also when only the department or the manager changes
    if managed:
        user.employee_number = number
        profile = session.get(Profile, user.id)
        if profile is None and department:
            profile = Profile(user_id=user.id, target_roles=[], goals=[], languages=[],
                              privacy={})
            session.add(profile)
        if profile is not None:
            profile.department = department
        if boss is not None and boss.id == user.id:
            session.rollback()
            raise ScimError("a person cannot be their own manager", 400, "invalidValue")
        try:
            set_manager(session, user, boss)  # commits; refuses a loop in the reporting line
        except ApiError as exc:
            session.rollback()
            raise ScimError(exc.message, 400, "invalidValue") from None
    if user.active and not active:
        deactivate(session, user)  # their tokens stop now
    user.active = active
    session.commit()
    return user


def apply_group(group: DirectoryGroup | None, doc: dict) -> DirectoryGroup:
    session = db.session()
    name = _text(doc.get("displayName"), "displayName", 60, required=True)
    external = _text(doc.get("externalId"), "externalId", 200) or None
    members = doc.get("members") or []
    if not isinstance(members, list):
        raise ScimError("members is a list of {value}", 400, "invalidValue")
    people = {u.id: u for u in _members(session, members)}
    _unique(session, DirectoryGroup, DirectoryGroup.display_name, name, group, "displayName")
    _unique(session, DirectoryGroup, DirectoryGroup.external_id, external, group, "externalId",
            exact=True)
    if group is None:
        group = DirectoryGroup(id=str(uuid.uuid4()), display_name=name)
        session.add(group)
        session.flush()
    old_name = group.display_name.lower()
    before = set(session.scalars(select(DirectoryMember.user_id).where(
        DirectoryMember.group_id == group.id)))
    group.display_name, group.external_id, group.updated_at = name, external, now()
    for user_id in before - set(people):
        session.delete(session.get(DirectoryMember, (group.id, user_id)))
        _audience(session.get(User, user_id), old_name, None)
    for user_id in set(people) - before:
        session.add(DirectoryMember(group_id=group.id, user_id=user_id))
        _audience(people[user_id], None, name.lower())
    if old_name != name.lower():  # renamed: the members who stay get the new name
        for user_id in set(people) & before:
            _audience(people[user_id], old_name, name.lower())
    session.commit()
    return group


def _members(session, members: list) -> list[User]:
    """The users members name, looked up 500 at a time; 400 if any is unknown."""
    wanted = []
    for member in members:
        ident = member.get("value") if isinstance(member, dict) else None
        if not isinstance(ident, str):
            raise ScimError("members need a value: a user's id", 400, "invalidValue")
        wanted.append(ident)
    found: dict[str, User] = {}
    for start in range(0, len(wanted), 500):
        found.update((u.directory_id, u) for u in session.scalars(
            select(User).where(User.directory_id.in_(wanted[start:start + 500]))))
    missing = [w for w in wanted if w not in found]
    if missing:
        raise ScimError(f"members: no user with id {missing[0]!r}", 400, "invalidValue")
    return [found[w] for w in dict.fromkeys(wanted)]


def _audience(user: User, old: str | None, new: str | None) -> None:
    """Swap one audience group in the user's groups (a group renamed, joined or left)."""
    set_groups(user, [x for x in user.groups or [] if x != old] + ([new] if new else []))
