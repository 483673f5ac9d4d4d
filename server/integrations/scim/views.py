"""SCIM 2.0 (RFC 7643, RFC 7644) at /scim/v2: the organisation's directory provisions people and
groups, with the enterprise extension's employeeNumber, department and manager.

Each resource has one JSON representation (user_doc, group_doc). PUT applies a whole one; PATCH
applies its operations to the current representation and then applies the result the same way,
so there is one place where SCIM values become jitlearn's (apply_user, apply_group). Attributes
jitlearn does not keep (name parts, phone numbers, addresses, ...) are accepted and not stored.
A user set inactive loses their tokens at once; DELETE removes the person and what is stored
about them (accounts.delete). A group's members get its name as an audience group.
"""

import json
import re
import uuid
from functools import wraps

from flask import Blueprint, g, jsonify, request
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from server import payload
from server.api.auth import bearer_token
from server.console.accounts import deactivate
from server.console.accounts import delete as delete_user
from server.errors import SCIM_MEDIA, ApiError
from server.people.users import add_user, set_manager, token_holder
from server.storage import audit, db
from server.storage.models import DirectoryGroup, DirectoryMember, Profile, User, now

USER = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
LIST = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
SEARCH = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"
MAX_PAGE_NUMBER = 2**31 - 1  # startIndex and count beyond this are clamped (SQL offsets overflow)
PAGE, MAX_PAGE = 100, 1000

scim = Blueprint("scim", __name__, url_prefix="/scim/v2")


class ScimError(ApiError):
    """An error in SCIM's own shape: status, scimType, detail."""

    def __init__(self, detail: str, status: int = 400, scim_type: str = ""):
        super().__init__(scim_type or "scim", detail, status)
        self.scim_type = scim_type


def _answer(body: dict, status: int = 200, location: str = ""):
    answer = jsonify(body)
    answer.status_code, answer.mimetype = status, SCIM_MEDIA
    if location:
        answer.headers["Location"] = location
    return answer


# --- the schemas jitlearn serves (GET /Schemas) --------------------------------------------------

def _attr(name, kind="string", *, required=False, multi=False, mutability="readWrite",
          returned="default", uniqueness="none", sub=None, refs=None, description=""):
    a = {"name": name, "type": kind, "multiValued": multi, "description": description,
         "required": required, "caseExact": False, "mutability": mutability,
         "returned": returned, "uniqueness": uniqueness}
    if sub:
        a["subAttributes"] = sub
    if refs:
        a["referenceTypes"] = refs
    return a


SCHEMAS = {
    USER: ("User", "A person who uses jitlearn", [
        _attr("userName", required=True, uniqueness="server",
              description="Their jitlearn user name; OIDC sign-in links by it"),
        _attr("displayName", description="The name shown for them"),
        _attr("emails", "complex", multi=True, description="One address is kept: the primary "
              "one, else the first", sub=[_attr("value", description="An email address")]),
        _attr("active", "boolean", description="False: no sign-in, and their tokens stop"),
        _attr("groups", "complex", multi=True, mutability="readOnly",
              description="Groups they belong to (set through /Groups)", sub=[
                  _attr("value", mutability="readOnly"),
                  _attr("$ref", "reference", mutability="readOnly", refs=["Group"]),
                  _attr("display", mutability="readOnly")]),
    ]),
    ENTERPRISE: ("EnterpriseUser", "Enterprise User", [
        _attr("employeeNumber", description="The organisation's number for them"),
        _attr("department", description="Their department (also on their profile)"),
        _attr("manager", "complex", description="Who they report to", sub=[
            _attr("value", description="The manager's id here"),
            _attr("$ref", "reference", refs=["User"])]),
    ]),
    GROUP: ("Group", "An audience group: content can be meant for its members", [
        _attr("displayName", required=True, uniqueness="server",
              description="The group's name; lower-cased, it is the audience group"),
        _attr("members", "complex", multi=True, description="People in the group", sub=[
            _attr("value", description="A member's id"),
            _attr("$ref", "reference", refs=["User"])]),
    ]),
}


def _schema(urn: str) -> dict:
    name, description, attributes = SCHEMAS[urn]
    return {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Schema"], "id": urn,
            "name": name, "description": description, "attributes": attributes,
            "meta": {"resourceType": "Schema", "location": _base() + "/Schemas/" + urn}}


RESOURCE_TYPES = {
    "User": {"endpoint": "/Users", "schema": USER, "description": "People",
             "schemaExtensions": [{"schema": ENTERPRISE, "required": False}]},
    "Group": {"endpoint": "/Groups", "schema": GROUP, "description": "Audience groups",
              "schemaExtensions": []},
}


def _resource_type(name: str) -> dict:
    return {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"], "id": name,
            "name": name, **RESOURCE_TYPES[name],
            "meta": {"resourceType": "ResourceType",
                     "location": _base() + "/ResourceTypes/" + name}}


def _base() -> str:
    return request.url_root.rstrip("/") + "/scim/v2"


# --- authentication: an admin's API token --------------------------------------------------------

def admin_token(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        token = bearer_token()
        found = token_holder(db.session(), token) if token else None
        if found is None:
            raise ScimError("send an admin's API token as 'Authorization: Bearer <token>'", 401)
        user, scope = found
        if scope == "read":
            raise ScimError("this token may only read the API; provisioning needs a full or a "
                            "SCIM token", 403)
        if user.role != "admin":
            raise ScimError("provisioning needs an admin's token", 403)
        g.user = user
        return view(*args, **kwargs)

    return wrapped


# --- discovery ----------------------------------------------------------------------------------

@scim.get("/ServiceProviderConfig")
def service_provider_config():
    return _answer({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
        "patch": {"supported": True}, "bulk": {"supported": False, "maxOperations": 0,
                                               "maxPayloadSize": 0},
        "filter": {"supported": True, "maxResults": MAX_PAGE},
        "changePassword": {"supported": False}, "sort": {"supported": False},
        "etag": {"supported": False},
        "authenticationSchemes": [{
            "type": "oauthbearertoken", "name": "Bearer token", "primary": True,
            "description": "An API token of a jitlearn admin (jitlearn tokens create NAME)"}],
        "meta": {"resourceType": "ServiceProviderConfig",
                 "location": _base() + "/ServiceProviderConfig"}})


@scim.get("/Schemas")
def schemas():
    return _list([_schema(urn) for urn in SCHEMAS], len(SCHEMAS), 1)


@scim.get("/Schemas/<path:urn>")
def one_schema(urn: str):
    if urn not in SCHEMAS:
        raise ScimError(f"no schema {urn!r} here", 404)
    return _answer(_schema(urn))


@scim.get("/ResourceTypes")
def resource_types():
    return _list([_resource_type(n) for n in RESOURCE_TYPES], len(RESOURCE_TYPES), 1)


@scim.get("/ResourceTypes/<name>")
def one_resource_type(name: str):
    if name not in RESOURCE_TYPES:
        raise ScimError(f"no resource type {name!r} here", 404)
    return _answer(_resource_type(name))


# --- representations ------------------------------------------------------------------------------

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
        doc["groups"] = [{"value": grp.id, "$ref": f"{_base()}/Groups/{grp.id}",
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
                                "$ref": f"{_base()}/Users/{boss.directory_id}"}
    if extension:
        doc[ENTERPRISE] = extension
    doc["meta"] = {"resourceType": "User", "created": _stamp(user.created_at),
                   "lastModified": _stamp(user.updated_at or user.created_at),
                   "location": f"{_base()}/Users/{doc['id']}"}
    return doc


def group_doc(group: DirectoryGroup) -> dict:
    members = db.session().scalars(select(User).join(DirectoryMember).where(
        DirectoryMember.group_id == group.id).order_by(User.id)).all()
    doc = {"schemas": [GROUP], "id": group.id, "displayName": group.display_name}
    if group.external_id:
        doc["externalId"] = group.external_id
    if members:
        doc["members"] = [{"value": m.directory_id, "$ref": f"{_base()}/Users/{m.directory_id}"}
                          for m in members]
    doc["meta"] = {"resourceType": "Group", "created": _stamp(group.created_at),
                   "lastModified": _stamp(group.updated_at),
                   "location": f"{_base()}/Groups/{group.id}"}
    return doc


# --- SCIM values to jitlearn's --------------------------------------------------------------------

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
    groups = [x for x in user.groups or [] if x != old]
    if new and new not in groups:
        groups.append(new)
    user.groups = sorted(groups)


# --- PATCH: operations on the representation ------------------------------------------------------

PATH = re.compile(r'^(?:(?P<urn>urn:[^\[]+?):)?(?P<attr>\$?[A-Za-z][\w$-]*)'
                  r'(?:\[(?P<filter>[^\]]+)\])?(?:\.(?P<sub>\$?[A-Za-z][\w$-]*))?$')
VALUE_FILTER = re.compile(r'^\s*(\$?[A-Za-z][\w$-]*)\s+eq\s+"((?:[^"\\]|\\.)*)"\s*$', re.I)


def _key(container: dict, name: str) -> str:
    """The key in container that SCIM's case-insensitive name means (name itself if none)."""
    return next((k for k in container if k.lower() == name.lower()), name)


def _json_string(quoted_body: str) -> str:
    try:
        return payload.loads(f'"{quoted_body}"')
    except ValueError:
        raise ScimError(f"cannot read the string \"{quoted_body[:100]}\"", 400,
                        "invalidFilter") from None


def _json_value(raw: str):
    try:
        return payload.loads(raw)
    except ValueError:
        raise ScimError(f"cannot read the value {raw[:100]}", 400, "invalidFilter") from None


def _matcher(text: str | None):
    if text is None:
        return None
    found = VALUE_FILTER.match(text)
    if not found:
        raise ScimError(f"only [attribute eq \"value\"] filters are supported in a path: {text}",
                        400, "invalidFilter")
    sub, wanted = found.group(1), _json_string(found.group(2))
    return lambda item: isinstance(item, dict) and str(item.get(_key(item, sub))) == wanted


def patch(doc: dict, operations, extension: str | None) -> dict:
    """doc after RFC 7644 §3.5.2's operations (add, replace, remove)."""
    if not isinstance(operations, list) or not operations:
        raise ScimError("Operations is a non-empty list", 400, "invalidSyntax")
    for operation in operations:
        if not isinstance(operation, dict):
            raise ScimError("each operation is an object", 400, "invalidSyntax")
        op = str(operation.get("op", "")).lower()
        if op not in ("add", "replace", "remove"):
            raise ScimError(f"unknown op {operation.get('op')!r}: add, replace or remove", 400,
                            "invalidSyntax")
        path, value = operation.get("path"), operation.get("value")
        if path is None or path == "":
            if op == "remove":
                raise ScimError("remove needs a path", 400, "noTarget")
            if not isinstance(value, dict):
                raise ScimError("without a path, value is an object of attributes", 400,
                                "invalidValue")
            for name, item in value.items():
                if extension and name.lower() == extension.lower() and isinstance(item, dict):
                    for sub, subvalue in item.items():
                        _set(doc, extension, sub, None, None, op, subvalue)
                elif extension and name.lower().startswith(extension.lower() + ":"):
                    _set(doc, extension, name[len(extension) + 1:], None, None, op, item)
                else:
                    _set(doc, None, name, None, None, op, item)
            continue
        if extension and isinstance(path, str) and path.lower() == extension.lower():
            if op == "remove":  # the whole extension: its attributes cleared
                doc[extension] = {}
            elif isinstance(value, dict):
                for sub, subvalue in value.items():
                    _set(doc, extension, sub, None, None, op, subvalue)
            else:
                raise ScimError(f"{extension} takes an object", 400, "invalidValue")
            continue
        found = PATH.match(path) if isinstance(path, str) and len(path) < 500 else None
        if not found:
            raise ScimError(f"cannot read the path {path!r}", 400, "invalidPath")
        urn = found.group("urn")
        if urn and urn.lower() not in {s.lower() for s in (extension, USER, GROUP) if s}:
            raise ScimError(f"unknown schema in path {path!r}", 400, "invalidPath")
        urn = extension if urn and extension and urn.lower() == extension.lower() else None
        _set(doc, urn, found.group("attr"), _matcher(found.group("filter")),
             found.group("sub"), op, value)
    return doc


def _set(doc, urn, attr, match, sub, op, value) -> None:
    container = doc.setdefault(urn, {}) if urn else doc
    if not isinstance(container, dict):
        raise ScimError(f"{urn} is not an object", 400, "invalidValue")
    key = _key(container, attr)
    current = container.get(key)
    if match is not None:  # emails[type eq "work"], members[value eq "..."]
        items = current if isinstance(current, list) else []
        hits = [i for i in items if match(i)]
        if op == "remove":
            if sub:
                for item in hits:
                    item.pop(_key(item, sub), None)
            else:
                container[key] = [i for i in items if not match(i)]
        elif not hits and op == "add" and sub is None and isinstance(value, dict):
            container[key] = [*items, value]
        else:
            for item in hits:
                if sub:
                    item[_key(item, sub)] = value
                elif isinstance(value, dict):
                    item.update(value)
        return
    if sub:  # manager.value, name.givenName
        inner = current if isinstance(current, dict) else {}
        if op == "remove":
            inner.pop(_key(inner, sub), None)
        else:
            inner[_key(inner, sub)] = value
        container[key] = inner
        return
    if op == "remove":
        if isinstance(current, list) and isinstance(value, list):  # remove these members
            drop = {str(v.get("value")) for v in value if isinstance(v, dict)}
            container[key] = [i for i in current
                              if not isinstance(i, dict) or str(i.get("value")) not in drop]
        else:
            container.pop(key, None)
    elif op == "add" and isinstance(current, list):
        additions = value if isinstance(value, list) else [value]
        seen = {json.dumps(i, sort_keys=True) for i in current}
        container[key] = [*current, *(a for a in additions
                                       if json.dumps(a, sort_keys=True) not in seen)]
    elif op == "add" and isinstance(current, dict) and isinstance(value, dict):
        container[key] = {**current, **value}
    else:
        container[key] = value


# --- queries: filter, attributes, pages ----------------------------------------------------------

COMPARISON = re.compile(r'^\s*(?P<attr>[\w:.$-]+)\s+(?P<op>eq|ne|co|sw|ew|pr)'
                        r'(?:\s+(?P<value>"(?:[^"\\]|\\.)*"|true|false|null|-?\d+))?\s*$', re.I)


def _lookup(doc: dict, path: str):
    """The values at path in doc (a flat list: multi-valued attributes spread out)."""
    urn = None
    for schema in (ENTERPRISE, USER, GROUP):
        if path.lower().startswith(schema.lower() + ":"):
            urn, path = schema, path[len(schema) + 1:]
    values = [doc.get(_key(doc, urn))] if urn else [doc]
    for part in path.split("."):
        nxt = []
        for v in values:
            v = v.get(_key(v, part)) if isinstance(v, dict) else None
            nxt.extend(v if isinstance(v, list) else [v])
        values = nxt
    flat = []
    for v in values:  # "emails eq x" means emails.value
        flat.append(v.get("value") if isinstance(v, dict) else v)
    return [v for v in flat if v is not None]


def _filter(text: str | None):
    """A predicate on representations: comparisons joined by "and"."""
    if not text:
        return lambda doc: True
    if len(text) > 1000:
        raise ScimError("the filter is too long", 400, "invalidFilter")
    tests = []
    for part in re.split(r"\s+and\s+", text.strip(), flags=re.I):
        found = COMPARISON.match(part)
        if not found:
            raise ScimError(f"unsupported filter {part!r}: attribute op value, joined by and "
                            "(eq ne co sw ew pr)", 400, "invalidFilter")
        attr, op = found.group("attr"), found.group("op").lower()
        raw = found.group("value")
        if op != "pr" and raw is None:
            raise ScimError(f"{op} needs a value: {part!r}", 400, "invalidFilter")
        wanted = (_json_string(raw[1:-1]) if raw.startswith('"') else _json_value(raw)) \
            if raw else None
        tests.append((attr, op, wanted))

    def compare(value, op, wanted) -> bool:
        if isinstance(wanted, str) and isinstance(value, str):
            value, wanted = value.lower(), wanted.lower()  # caseExact is false throughout
        if op == "eq":
            return value == wanted
        if op == "ne":
            return value != wanted
        if not isinstance(value, str) or not isinstance(wanted, str):
            return False
        return {"co": wanted in value, "sw": value.startswith(wanted),
                "ew": value.endswith(wanted)}[op]

    def keep(doc: dict) -> bool:
        for attr, op, wanted in tests:
            values = _lookup(doc, attr)
            if op == "pr":
                ok = bool(values)
            elif op == "ne":
                ok = all(compare(v, op, wanted) for v in values)
            else:
                ok = any(compare(v, op, wanted) for v in values)
            if not ok:
                return False
        return True

    return keep


def _names(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ScimError("attributes are a comma-separated list of names", 400, "invalidValue")
    return [v.strip() for v in value if v.strip()]


def _project(doc: dict, attributes: list[str], excluded: list[str]) -> dict:
    """RFC 7644 §3.4.2.5: only the attributes asked for (and id, schemas), or all but some."""
    def split(name: str) -> tuple[str | None, str, str | None]:
        urn = next((s for s in (ENTERPRISE, USER, GROUP)
                    if name.lower().startswith(s.lower() + ":")), None)
        rest = name[len(urn) + 1:] if urn else name
        top, _, sub = rest.partition(".")
        return (ENTERPRISE if urn == ENTERPRISE else None), top, sub or None

    if attributes:
        out = {k: v for k, v in doc.items() if k in ("id", "schemas")}
        for name in attributes:
            urn, top, sub = split(name)
            source, target = (doc.get(urn, {}), out.setdefault(urn, {})) if urn else (doc, out)
            key = _key(source, top)
            if key not in source:
                continue
            value = source[key]
            if sub and isinstance(value, list):
                value = [{_key(i, sub): i.get(_key(i, sub))} for i in value if isinstance(i, dict)]
            elif sub and isinstance(value, dict):
                value = {_key(value, sub): value.get(_key(value, sub))}
            target[key] = value
        if out.get(ENTERPRISE) == {}:
            out.pop(ENTERPRISE)
        return out
    out = json.loads(json.dumps(doc))
    for name in excluded:
        urn, top, sub = split(name)
        target = out.get(urn, {}) if urn else out
        key = _key(target, top)
        if key in ("id", "schemas"):
            continue
        if sub and isinstance(target.get(key), list):
            for item in target[key]:
                item.pop(_key(item, sub), None)
        elif sub and isinstance(target.get(key), dict):
            target[key].pop(_key(target[key], sub), None)
        else:
            target.pop(key, None)
    if out.get(ENTERPRISE) == {}:
        out.pop(ENTERPRISE)
    return out


def _list(resources: list[dict], total: int, start: int):
    return _answer({"schemas": [LIST], "totalResults": total, "startIndex": start,
                    "itemsPerPage": len(resources), "Resources": resources})


def _number(value, name: str, default: int) -> int:
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ScimError(f"{name} is a whole number", 400, "invalidValue") from None
    return max(-MAX_PAGE_NUMBER, min(number, MAX_PAGE_NUMBER))  # past it, pages are empty


def _search(kind: str, params: dict):
    """A page of the users or groups that match params (filter, startIndex, count, ...)."""
    session = db.session()
    keep = _filter(params.get("filter"))
    start = max(1, _number(params.get("startIndex"), "startIndex", 1))
    count = min(MAX_PAGE, max(0, _number(params.get("count"), "count", PAGE)))
    attributes = _names(params.get("attributes"))
    excluded = _names(params.get("excludedAttributes"))
    if kind == "all":  # POST /.search: users, then groups
        docs = [d for d in (*map(user_doc, session.scalars(select(User).order_by(User.id))),
                            *map(group_doc, session.scalars(select(DirectoryGroup).order_by(
                                DirectoryGroup.created_at, DirectoryGroup.id)))) if keep(d)]
        page = docs[start - 1:start - 1 + count]
        return _list([_project(d, attributes, excluded) for d in page], len(docs), start)
    if kind == "User":
        query, render = select(User).order_by(User.id), user_doc
        columns = {"username": User.name, "externalid": User.external_id,
                   "id": User.directory_id}
    else:
        query, render = select(DirectoryGroup).order_by(DirectoryGroup.created_at,
                                                        DirectoryGroup.id), group_doc
        columns = {"displayname": DirectoryGroup.display_name,
                   "externalid": DirectoryGroup.external_id, "id": DirectoryGroup.id}
    text = params.get("filter")
    if not text:  # a page straight from the database
        total = session.scalar(select(func.count()).select_from(query.subquery()))
        rows = session.scalars(query.offset(start - 1).limit(count)).all()
        return _list([_project(render(r), attributes, excluded) for r in rows], total, start)
    simple = COMPARISON.match(text) if " and " not in text.lower() else None
    if simple and simple.group("op").lower() == "eq" and simple.group("attr").lower() in columns \
            and (simple.group("value") or "").startswith('"'):  # the directories' usual lookup
        column = columns[simple.group("attr").lower()]
        query = query.where(func.lower(column) == _json_value(simple.group("value")).lower())
    docs = [d for d in (render(r) for r in session.scalars(query)) if keep(d)]
    page = docs[start - 1:start - 1 + count]
    return _list([_project(d, attributes, excluded) for d in page], len(docs), start)


# --- the endpoints --------------------------------------------------------------------------------

def _body() -> dict:
    try:
        body = payload.loads(request.get_data(cache=False) or b"null")
    except payload.PayloadError as exc:
        raise ScimError(f"the body: {exc}", 400, "invalidSyntax") from None
    if not isinstance(body, dict):
        raise ScimError("the body is a JSON object", 400, "invalidSyntax")
    return body


def _user(ident: str) -> User:
    user = db.session().scalar(select(User).where(User.directory_id == ident))
    if user is None:
        raise ScimError(f"no user with id {ident!r}", 404)
    return user


def _group(ident: str) -> DirectoryGroup:
    group = db.session().get(DirectoryGroup, ident)
    if group is None:
        raise ScimError(f"no group with id {ident!r}", 404)
    return group


def _query_params() -> dict:
    return {k: request.args.get(k) for k in ("filter", "startIndex", "count", "attributes",
                                              "excludedAttributes")}


@scim.get("/Users")
@admin_token
def list_users():
    return _search("User", _query_params())


@scim.get("/Groups")
@admin_token
def list_groups():
    return _search("Group", _query_params())


@scim.post("/Users/.search")
@admin_token
def search_users():
    return _search("User", _body())


@scim.post("/Groups/.search")
@admin_token
def search_groups():
    return _search("Group", _body())


@scim.post("/.search")
@admin_token
def search_everything():
    return _search("all", _body())


def _saved(apply, target, doc: dict):
    """apply(target, doc); two requests racing for one userName or displayName get a 409.
    Each change is recorded in the audit trail as the token's admin's, through SCIM."""
    kind = "user" if apply is apply_user else "group"
    try:
        saved = apply(target, doc)
    except IntegrityError:
        db.session().rollback()
        raise ScimError("another resource already has this userName, externalId or "
                        "displayName", 409, "uniqueness") from None
    _audit(f"scim.{kind}.{'create' if target is None else 'update'}", saved)
    return saved


def _audit(action: str, resource) -> None:
    name = getattr(resource, "name", None) or getattr(resource, "display_name", "")
    audit.record(db.session(), f"scim:{g.user.name}", action, name)
    db.session().commit()


def _one(doc: dict):
    return _answer(_project(doc, _names(request.args.get("attributes")),
                            _names(request.args.get("excludedAttributes"))))


@scim.get("/Users/<ident>")
@admin_token
def get_user(ident: str):
    return _one(user_doc(_user(ident)))


@scim.get("/Groups/<ident>")
@admin_token
def get_group(ident: str):
    return _one(group_doc(_group(ident)))


@scim.post("/Users")
@admin_token
def create_user():
    doc = user_doc(_saved(apply_user, None, _body()))
    return _answer(doc, 201, doc["meta"]["location"])


@scim.post("/Groups")
@admin_token
def create_group():
    doc = group_doc(_saved(apply_group, None, _body()))
    return _answer(doc, 201, doc["meta"]["location"])


@scim.put("/Users/<ident>")
@admin_token
def replace_user(ident: str):
    return _one(user_doc(_saved(apply_user, _user(ident), _body())))


@scim.put("/Groups/<ident>")
@admin_token
def replace_group(ident: str):
    return _one(group_doc(_saved(apply_group, _group(ident), _body())))


@scim.patch("/Users/<ident>")
@admin_token
def patch_user(ident: str):
    user = _user(ident)
    doc = patch(user_doc(user), _body().get("Operations"), ENTERPRISE)
    return _one(user_doc(_saved(apply_user, user, doc)))


@scim.patch("/Groups/<ident>")
@admin_token
def patch_group(ident: str):
    group = _group(ident)
    doc = patch(group_doc(group), _body().get("Operations"), None)
    return _one(group_doc(_saved(apply_group, group, doc)))


@scim.delete("/Users/<ident>")
@admin_token
def delete_one_user(ident: str):
    user = _user(ident)
    if user.id == g.user.id:
        raise ScimError("the token's own user cannot be deleted through it", 409, "mutability")
    audit.record(db.session(), f"scim:{g.user.name}", "scim.user.delete", user.name)
    delete_user(db.session(), user)  # their memberships go with them
    return "", 204


@scim.delete("/Groups/<ident>")
@admin_token
def delete_one_group(ident: str):
    group = _group(ident)
    apply_group(group, {"displayName": group.display_name, "members": []})  # members leave it
    audit.record(db.session(), f"scim:{g.user.name}", "scim.group.delete", group.display_name)
    db.session().delete(group)
    db.session().commit()
    return "", 204
