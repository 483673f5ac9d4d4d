"""SCIM's names and what jitlearn serves of it: the schemas and resource types (RFC 7643)."""

from flask import jsonify, request

from server.errors import SCIM_MEDIA, ApiError

USER = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
LIST = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
SEARCH = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"
PAGE, MAX_PAGE = 100, 1000  # resources per page: by default, at most
MAX_PAGE_NUMBER = 2**31 - 1  # startIndex and count beyond this are clamped (SQL offsets overflow)


class ScimError(ApiError):
    """An error in SCIM's own shape: status, scimType, detail."""

    def __init__(self, detail: str, status: int = 400, scim_type: str = ""):
        super().__init__(scim_type or "scim", detail, status)
        self.scim_type = scim_type


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


def schema_doc(urn: str) -> dict:
    name, description, attributes = SCHEMAS[urn]
    return {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Schema"], "id": urn,
            "name": name, "description": description, "attributes": attributes,
            "meta": {"resourceType": "Schema", "location": base_url() + "/Schemas/" + urn}}


RESOURCE_TYPES = {
    "User": {"endpoint": "/Users", "schema": USER, "description": "People",
             "schemaExtensions": [{"schema": ENTERPRISE, "required": False}]},
    "Group": {"endpoint": "/Groups", "schema": GROUP, "description": "Audience groups",
              "schemaExtensions": []},
}


def resource_type(name: str) -> dict:
    return {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"], "id": name,
            "name": name, **RESOURCE_TYPES[name],
            "meta": {"resourceType": "ResourceType",
                     "location": base_url() + "/ResourceTypes/" + name}}


def answer(body: dict, status: int = 200, location: str = ""):
    answer = jsonify(body)
    answer.status_code, answer.mimetype = status, SCIM_MEDIA
    if location:
        answer.headers["Location"] = location
    return answer


def base_url() -> str:
    return request.url_root.rstrip("/") + "/scim/v2"
