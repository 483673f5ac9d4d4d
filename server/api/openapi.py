"""The API's OpenAPI 3.1 document, generated from the routes themselves.

Each view declares what it reads and answers with @spec, right above its function; openapi()
walks the app's URL map, reads those declarations and the role table (server/api/access.py), and
builds the document served at /api/v1/openapi.json. A route without a declaration fails the
test that checks the document, so the contract cannot drift from the code.
"""

import re

from flask import Flask

from server.api import access
from server.payload import MAX_ID

# --- schema shorthands -----------------------------------------------------------------------

STR, INT, NUM, BOOL = {"type": "string"}, {"type": "integer"}, {"type": "number"}, \
    {"type": "boolean"}
ANY_OBJECT = {"type": "object"}


def nullable(schema: dict) -> dict:
    return {"anyOf": [schema, {"type": "null"}]}


def array(items: dict, max_items: int | None = None) -> dict:
    out = {"type": "array", "items": items}
    if max_items is not None:
        out["maxItems"] = max_items
    return out


def obj(required: dict, optional: dict | None = None, closed: bool = False) -> dict:
    """An object with these required properties (and optional ones).

    closed: no other property allowed. Request bodies are closed (unknown fields are refused);
    responses stay open so adding a field is not a breaking change.
    """
    out = {"type": "object", "properties": {**required, **(optional or {})},
           "required": sorted(required)}
    if closed:
        out["additionalProperties"] = False
    return out


def text(max_length: int, min_length: int = 0) -> dict:
    out = {"type": "string", "maxLength": max_length}
    if min_length:
        out["minLength"] = min_length
    return out


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


# --- shared shapes ---------------------------------------------------------------------------

ITEM = obj({"id": STR, "title": STR, "type": STR, "url": STR})
SKILL_REF = obj({"id": STR, "name": STR})
VALUES = array(text(100, 1), 50)  # a list field's values (content/tags.py MAX_ITEMS, MAX_VALUE)
LIST_CHANGE = {"anyOf": [VALUES, obj({}, {"add": VALUES, "remove": VALUES}, closed=True)
                         | {"minProperties": 1}, {"type": "null"}]}
COMPONENTS = {
    "Error": obj({"error": STR, "message": STR}),
    "Content": obj({"id": STR, "title": STR, "url": STR, "type": STR, "summary": STR,
                    "topics": {"type": "object", "additionalProperties": NUM},
                    "audience": array(STR), "mandatory": BOOL, "level": STR,
                    "duration": nullable(INT), "source": STR, "owner": STR,
                    "changed": nullable(STR)}),
    # null is taken as absent for an optional field (server/api/validation.py string())
    "Context": obj({}, {"title": nullable(text(1000)), "url": nullable(text(2048)),
                        "selection": nullable(text(5000)), "text": nullable(text(20000)),
                        "description": nullable(text(2000)),
                        "headings": nullable(array(text(500), 50))}, closed=True),
    "Source": obj({"name": STR, "kind": STR, "location": STR, "every_minutes": INT,
                   "url_template": STR,
                   "last_run_at": nullable(STR), "last_status": nullable(STR),
                   "last_counts": nullable(ANY_OBJECT), "last_failures": nullable(array(
                       ANY_OBJECT))}),
    "Profile": obj({"name": STR, "current_title": STR, "role": nullable(obj({"id": STR,
                                                                               "title": STR})),
                    "department": STR, "location": STR,
                    "target_roles": array(obj({"id": STR, "title": STR})),
                    "goals": array(STR), "languages": array(STR), "privacy": ANY_OBJECT,
                    "scale": array(STR)}),
    "Rating": obj({"id": STR, "name": STR, "kind": STR,
                   "levels": {"type": "object", "additionalProperties": INT}}),
    "PersonFeedback": obj({"id": INT, "from": nullable(STR), "relation": STR,
                           "skills": array(SKILL_REF), "note": STR, "shared": BOOL,
                           "created_at": STR}),
}

# Every authenticated operation may answer these; each names its own others.
COMMON_ERRORS = (400, 401, 403, 413, 415, 429)


class Spec:
    def __init__(self, summary, body, query, ok, status, errors, content_type):
        self.summary, self.body, self.query, self.ok = summary, body, query, ok
        self.status, self.errors, self.content_type = status, errors, content_type


def spec(summary: str = "", *, body: dict | None = None, query: dict | None = None,
         ok: dict | None = None, status: int = 200, errors: tuple[int, ...] = (),
         content_type: str = "application/json"):
    """Declare a view's contract: its JSON body, query parameters and success answer.

    query: {name: (schema, required)}. errors: statuses beyond the common ones.
    """
    def mark(view):
        view.openapi = Spec(summary or (view.__doc__ or "").strip().split("\n")[0], body, query,
                            ok or ANY_OBJECT, status, errors, content_type)
        return view
    return mark


RULE_PARAM = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")
PARAM_SCHEMAS = {"int": {"type": "integer", "minimum": 0, "maximum": MAX_ID},
                 "path": {"type": "string", "minLength": 1}}


def path_of(rule: str) -> tuple[str, list[dict]]:
    params = []

    def swap(match):
        converter, name = match.group(1) or "default", match.group(2)
        params.append({"name": name, "in": "path", "required": True,
                       "schema": PARAM_SCHEMAS.get(converter, {"type": "string",
                                                               "minLength": 1})})
        return "{" + name + "}"
    return RULE_PARAM.sub(swap, rule), params


def error(status: int) -> dict:
    return {"description": {400: "the request is malformed", 401: "no valid token",
                            403: "not allowed for this user or role", 404: "not found",
                            409: "conflicts with the current state", 413: "too large",
                            415: "not JSON", 429: "too many requests; see Retry-After",
                            503: "busy; try again"}.get(status, "error"),
            "content": {"application/json": {"schema": ref("Error")}}}


def operation(endpoint: str, method: str, declared: Spec, params: list[dict]) -> dict:
    roles = access.API.get(endpoint)
    op = {"operationId": endpoint.split(".", 1)[1], "summary": declared.summary,
          "parameters": params + [{"name": name, "in": "query", "required": required,
                                   "schema": schema}
                                  for name, (schema, required) in (declared.query or {}).items()],
          "responses": {str(declared.status): {
              "description": "success",
              "content": {declared.content_type: {"schema": declared.ok}}}}}
    if roles is not None:
        op["x-roles"] = list(roles)
        for status in (*COMMON_ERRORS, *declared.errors):
            op["responses"][str(status)] = error(status)
    else:
        op["security"] = []
        for status in declared.errors:
            op["responses"][str(status)] = error(status)
    if declared.body is not None:
        op["requestBody"] = {"required": True, "content": {"application/json": {
            "schema": declared.body}}}
    if method in ("GET", "DELETE"):
        op.pop("requestBody", None)
    return op


def openapi(app: Flask) -> dict:
    """The whole document for the app's /api/v1 routes and the health check."""
    paths: dict[str, dict] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not (rule.endpoint.startswith("api.") or rule.endpoint == "root.healthz"):
            continue
        declared = getattr(app.view_functions[rule.endpoint], "openapi", None)
        if declared is None:
            raise LookupError(f"{rule.endpoint} has no @spec: declare its contract")
        path, params = path_of(rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = operation(rule.endpoint, method,
                                                                   declared, params)
    return {"openapi": "3.1.0",
            "info": {"title": "jitlearn API", "version": "1",
                     "description": "Just-in-time learning: suggestions for what a person is "
                                    "working on, their profile and skills, and the content "
                                    "library. Send a personal token as 'Authorization: Bearer "
                                    "<token>'. x-roles names the roles that may call an "
                                    "operation; other rules (whose profile, which audience) "
                                    "apply after that."},
            "servers": [{"url": "/"}],
            "security": [{"token": []}],
            "paths": paths,
            "components": {"schemas": COMPONENTS, "securitySchemes": {
                "token": {"type": "http", "scheme": "bearer"}}}}
