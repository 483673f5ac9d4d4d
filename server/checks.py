"""Checking values from outside inside a service: each refusal an ApiError a person can act on.

The API's views have their bodies checked against the declared schema first
(server/api/validation.py); the services check again what only they know, and everything that
reaches them another way (the CLI, an import).
"""

from server.errors import ApiError


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


def names(value, name: str, most: int, chars: int) -> list[str]:
    """A list of names, each once: a list of strings, or one string separated by ';' (a
    feed's or a form's cell: "Remote; Berlin")."""
    if isinstance(value, str):
        value = value.split(";")
    return list(dict.fromkeys(text_list(value, name, most, chars)))
