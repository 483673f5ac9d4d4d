"""SCIM PATCH (RFC 7644 3.5.2): operations applied to a resource's representation."""

import json
import re

from server import payload
from server.integrations.scim.schema import GROUP, USER, ScimError

PATH = re.compile(r'^(?:(?P<urn>urn:[^\[]+?):)?(?P<attr>\$?[A-Za-z][\w$-]*)'
                  r'(?:\[(?P<filter>[^\]]+)\])?(?:\.(?P<sub>\$?[A-Za-z][\w$-]*))?$')
VALUE_FILTER = re.compile(r'^\s*(\$?[A-Za-z][\w$-]*)\s+eq\s+"((?:[^"\\]|\\.)*)"\s*$', re.I)


def scim_key(container: dict, name: str) -> str:
    """The key in container that SCIM's case-insensitive name means (name itself if none)."""
    return next((k for k in container if k.lower() == name.lower()), name)


def json_string(quoted_body: str) -> str:
    try:
        return payload.loads(f'"{quoted_body}"')
    except ValueError:
        raise ScimError(f"cannot read the string \"{quoted_body[:100]}\"", 400,
                        "invalidFilter") from None


def json_value(raw: str):
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
    sub, wanted = found.group(1), json_string(found.group(2))
    return lambda item: isinstance(item, dict) and str(item.get(scim_key(item, sub))) == wanted


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
    key = scim_key(container, attr)
    current = container.get(key)
    if match is not None:  # emails[type eq "work"], members[value eq "..."]
        items = current if isinstance(current, list) else []
        hits = [i for i in items if match(i)]
        if op == "remove":
            if sub:
                for item in hits:
                    item.pop(scim_key(item, sub), None)
            else:
                container[key] = [i for i in items if not match(i)]
        elif not hits and op == "add" and sub is None and isinstance(value, dict):
            container[key] = [*items, value]
        else:
            for item in hits:
                if sub:
                    item[scim_key(item, sub)] = value
                elif isinstance(value, dict):
                    item.update(value)
        return
    if sub:  # manager.value, name.givenName
        inner = current if isinstance(current, dict) else {}
        if op == "remove":
            inner.pop(scim_key(inner, sub), None)
        else:
            inner[scim_key(inner, sub)] = value
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
