"""Request bodies and query strings checked against what the view declares with @spec.

The declaration (server/api/openapi.py) is the contract twice over: the OpenAPI document is
built from it, and every body and query is checked against it here before the view reads it,
so the two cannot drift. Refusals are ApiErrors that say which field and why: a wrong type is
`invalid_type` (400), a missing field `missing_field`, an unexpected one `unknown_field`, a field
longer or a list longer than declared `field_too_large` (413), any other rule `invalid_value`;
a bad query parameter is `invalid_query`. What only a service knows (a taxonomy's topic ids, a
configured maximum) the service checks itself (server/checks.py).
"""

import math

from nlp import Context
from nlp.redact import redact_context
from server.api.openapi import COMPONENTS
from server.errors import ApiError

KINDS = {"string": "a string", "integer": "a whole number", "number": "a number",
         "boolean": "true or false", "array": "a list", "object": "an object", "null": "null"}


def expect_object(body, where: str = "request body") -> dict:
    if not isinstance(body, dict):
        raise ApiError("invalid_json", f"the {where} must be a JSON object")
    return body


def check(value, schema: dict, where: str) -> None:
    """Raise ApiError unless value fits schema (the JSON Schema subset @spec declares)."""
    if "$ref" in schema:
        schema = COMPONENTS[schema["$ref"].rsplit("/", 1)[1]]
    if "anyOf" in schema:
        return _any_of(value, schema["anyOf"], where)
    kind = schema.get("type")
    if kind is not None and not _is(value, kind):
        raise ApiError("invalid_type", f"{where} must be {KINDS[kind]}")
    if "enum" in schema and value not in schema["enum"]:
        raise ApiError("invalid_value", f"{where} must be one of: "
                       f"{', '.join(map(str, schema['enum']))}")
    if kind == "string":
        _string(value, schema, where)
    elif kind in ("integer", "number"):
        low, high = schema.get("minimum", -math.inf), schema.get("maximum", math.inf)
        if not low <= value <= high:
            span = f"from {low} to {high}" if high != math.inf else f"of at least {low}"
            raise ApiError("invalid_value", f"{where} must be a number {span}")
    elif kind == "array":
        if len(value) > schema.get("maxItems", math.inf):
            raise ApiError("field_too_large", f"{where} has {len(value)} items; the limit is "
                           f"{schema['maxItems']}", 413)
        if len(value) < schema.get("minItems", 0):
            raise ApiError("invalid_value", f"{where} needs at least {schema['minItems']} item")
        for n, item in enumerate(value):
            check(item, schema.get("items", {}), f"{where}[{n}]")
    elif kind == "object":
        _object(value, schema, where)


def _object(value: dict, schema: dict, where: str) -> None:
    fields = schema.get("properties", {})
    extra = schema.get("additionalProperties", True)
    if extra is False and set(value) - set(fields):
        raise ApiError("unknown_field", f"unknown field(s) in {where}: "
                       f"{', '.join(sorted(set(value) - set(fields)))}; allowed: "
                       f"{', '.join(sorted(fields))}")
    for key in schema.get("required", ()):
        if key not in value:
            raise ApiError("missing_field", f"{where}.{key} is required")
    for key, item in value.items():
        if key in fields:
            check(item, fields[key], f"{where}.{key}")
        elif isinstance(extra, dict):
            check(item, extra, f"{where}.{key}")
    if len(value) < schema.get("minProperties", 0):
        raise ApiError("invalid_value", f"{where} needs at least one field")


def _string(value: str, schema: dict, where: str) -> None:
    if len(value) > schema.get("maxLength", math.inf):
        raise ApiError("field_too_large", f"{where} has {len(value)} characters; the limit is "
                       f"{schema['maxLength']}", 413)
    least = schema.get("minLength", 0)
    if least and not value.strip():
        raise ApiError("missing_field", f"{where} must not be empty")
    if len(value) < least:
        raise ApiError("invalid_value", f"{where} has at least {least} characters")


def _any_of(value, choices: list[dict], where: str) -> None:
    """Fits one of the choices; else the error of the choice of the value's own type."""
    failures = []
    for choice in choices:
        try:
            return check(value, choice, where)
        except ApiError as exc:
            failures.append((choice, exc))
    for choice, exc in failures:
        resolved = COMPONENTS[choice["$ref"].rsplit("/", 1)[1]] if "$ref" in choice else choice
        if "type" in resolved and _is(value, resolved["type"]):
            raise exc
    kinds = [KINDS[c["type"]] for c, _ in failures if c.get("type") in KINDS]
    raise ApiError("invalid_type", f"{where} must be {' or '.join(kinds) or 'something else'}")


def _is(value, kind: str) -> bool:
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    return isinstance(value, {"string": str, "boolean": bool, "array": list, "object": dict,
                              "null": type(None)}[kind])


def query_values(args, declared: dict) -> dict:
    """The declared query parameters, typed and checked: {name: value} for those sent."""
    out = {}
    for name, (schema, required) in declared.items():
        raw = args.get(name)
        if raw is None or (required and not raw.strip()):
            if required:
                raise ApiError("invalid_query", f"{name} is required: ?{name}=...")
            continue
        value = raw
        if schema.get("type") == "integer":
            if not raw.strip().lstrip("-").isdecimal() or len(raw) > 20:
                raise ApiError("invalid_query", f"{name} must be a whole number")
            value = int(raw)
        try:
            check(value, schema, name)
        except ApiError as exc:
            raise ApiError("invalid_query", exc.message) from None
        out[name] = value
    return out


def context_of(data: dict) -> Context:
    """The page, as checked against the Context schema: redacted, and not empty."""
    context = redact_context(Context(
        headings=data.get("headings") or [],
        **{k: data.get(k) or "" for k in ("title", "url", "selection", "text", "description")}))
    if not context.sections():
        raise ApiError("empty_context", "context needs at least a title, headings, selection "
                       "or text")
    return context
