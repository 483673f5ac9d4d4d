"""The SCIM endpoints: discovery, then Users and Groups (list, search, get, create, replace,
patch, delete), each behind an admin's API token."""

from functools import wraps

from flask import Blueprint, g, request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from server import payload
from server.api.auth import bearer_token
from server.console.accounts import delete as delete_user
from server.integrations.scim.patch import patch
from server.integrations.scim.query import attribute_names, listing, projected, run_search
from server.integrations.scim.resources import apply_group, apply_user, group_doc, user_doc
from server.integrations.scim.schema import (
    ENTERPRISE,
    MAX_PAGE,
    RESOURCE_TYPES,
    SCHEMAS,
    ScimError,
    answer,
    base_url,
    resource_type,
    schema_doc,
)
from server.people.users import token_holder
from server.storage import audit, db
from server.storage.models import DirectoryGroup, User

scim = Blueprint("scim", __name__, url_prefix="/scim/v2")






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


@scim.get("/ServiceProviderConfig")
def service_provider_config():
    return answer({
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
                 "location": base_url() + "/ServiceProviderConfig"}})


@scim.get("/Schemas")
def schemas():
    return listing([schema_doc(urn) for urn in SCHEMAS], len(SCHEMAS), 1)


@scim.get("/Schemas/<path:urn>")
def one_schema(urn: str):
    if urn not in SCHEMAS:
        raise ScimError(f"no schema {urn!r} here", 404)
    return answer(schema_doc(urn))


@scim.get("/ResourceTypes")
def resource_types():
    return listing([resource_type(n) for n in RESOURCE_TYPES], len(RESOURCE_TYPES), 1)


@scim.get("/ResourceTypes/<name>")
def one_resource_type(name: str):
    if name not in RESOURCE_TYPES:
        raise ScimError(f"no resource type {name!r} here", 404)
    return answer(resource_type(name))


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
    return run_search("User", _query_params())


@scim.get("/Groups")
@admin_token
def list_groups():
    return run_search("Group", _query_params())


@scim.post("/Users/.search")
@admin_token
def search_users():
    return run_search("User", _body())


@scim.post("/Groups/.search")
@admin_token
def search_groups():
    return run_search("Group", _body())


@scim.post("/.search")
@admin_token
def search_everything():
    return run_search("all", _body())


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
    return answer(projected(doc, attribute_names(request.args.get("attributes")),
                            attribute_names(request.args.get("excludedAttributes"))))


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
    return answer(doc, 201, doc["meta"]["location"])


@scim.post("/Groups")
@admin_token
def create_group():
    doc = group_doc(_saved(apply_group, None, _body()))
    return answer(doc, 201, doc["meta"]["location"])


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
