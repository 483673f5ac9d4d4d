"""Parse and check request bodies: clear 400s for wrong shapes, 413s for oversized fields."""

from nlp import Context
from nlp.redact import redact_context
from server.errors import ApiError

# Field limits: generous for real pages, small enough that one request cannot hog the pipeline
# (spaCy sm reads ~3,000 words/s here; 20,000 characters is about a second at worst).
LIMITS = {"title": 1_000, "url": 2_048, "selection": 5_000, "text": 20_000,
          "description": 2_000}
MAX_HEADINGS, MAX_HEADING_CHARS = 50, 500
CONTEXT_FIELDS = {*LIMITS, "headings"}


def expect_object(body, where: str = "request body") -> dict:
    if not isinstance(body, dict):
        raise ApiError("invalid_json", f"the {where} must be a JSON object")
    return body


def reject_unknown(data: dict, allowed: set[str], where: str) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ApiError("unknown_field", f"unknown field(s) in {where}: {', '.join(unknown)}; "
                       f"allowed: {', '.join(sorted(allowed))}")


def string(data: dict, key: str, where: str, limit: int | None = None,
           required: bool = False) -> str:
    value = data.get(key)
    if value is None:
        if required:
            raise ApiError("missing_field", f"{where}.{key} is required")
        return ""
    if not isinstance(value, str):
        raise ApiError("invalid_type", f"{where}.{key} must be a string")
    if limit is not None and len(value) > limit:
        raise ApiError("field_too_large",
                       f"{where}.{key} has {len(value)} characters; the limit is {limit}", 413)
    if required and not value.strip():
        raise ApiError("missing_field", f"{where}.{key} must not be empty")
    return value


def parse_context(data) -> Context:
    data = expect_object(data, "context")
    reject_unknown(data, CONTEXT_FIELDS, "context")
    values = {k: string(data, k, "context", limit) for k, limit in LIMITS.items()}
    headings = data.get("headings")
    headings = [] if headings is None else headings
    if not isinstance(headings, list) or not all(isinstance(h, str) for h in headings):
        raise ApiError("invalid_type", "context.headings must be a list of strings")
    if len(headings) > MAX_HEADINGS:
        raise ApiError("field_too_large", f"context.headings has {len(headings)} items; "
                       f"the limit is {MAX_HEADINGS}", 413)
    if any(len(h) > MAX_HEADING_CHARS for h in headings):
        raise ApiError("field_too_large",
                       f"a heading is longer than {MAX_HEADING_CHARS} characters", 413)
    context = redact_context(Context(headings=headings, **values))
    if not context.sections():
        raise ApiError("empty_context", "context needs at least a title, headings, selection "
                       "or text")
    return context


def parse_limit(body: dict, default: int, maximum: int) -> int:
    limit = body.get("limit", default)
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= maximum:
        raise ApiError("invalid_limit", f"limit must be a whole number from 1 to {maximum}")
    return limit


def text_value(value, name: str, limit: int) -> str:
    if not isinstance(value, str) or len(value) > limit:
        raise ApiError("invalid_value", f"{name} is text of at most {limit} characters")
    return " ".join(value.split())


def text_list(value, name: str, most: int, chars: int) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ApiError("invalid_value", f"{name} is a list of strings")
    if len(value) > most or any(len(v) > chars for v in value):
        raise ApiError("invalid_value", f"{name}: at most {most}, each at most {chars} "
                       "characters")
    return [" ".join(v.split()) for v in value if v.strip()]
