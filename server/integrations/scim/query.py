"""SCIM queries (RFC 7644 3.4.2): filters, attribute selection and pages."""

import json
import re

from sqlalchemy import func, select

from server.integrations.scim.patch import json_string, json_value, scim_key
from server.integrations.scim.resources import group_doc, user_doc
from server.integrations.scim.schema import (
    ENTERPRISE,
    GROUP,
    LIST,
    MAX_PAGE,
    MAX_PAGE_NUMBER,
    PAGE,
    USER,
    ScimError,
    answer,
)
from server.storage import db
from server.storage.models import DirectoryGroup, User

COMPARISON = re.compile(r'^\s*(?P<attr>[\w:.$-]+)\s+(?P<op>eq|ne|co|sw|ew|pr)'
                        r'(?:\s+(?P<value>"(?:[^"\\]|\\.)*"|true|false|null|-?\d+))?\s*$', re.I)


def _lookup(doc: dict, path: str):
    """The values at path in doc (a flat list: multi-valued attributes spread out)."""
    urn = None
    for schema in (ENTERPRISE, USER, GROUP):
        if path.lower().startswith(schema.lower() + ":"):
            urn, path = schema, path[len(schema) + 1:]
    values = [doc.get(scim_key(doc, urn))] if urn else [doc]
    for part in path.split("."):
        nxt = []
        for v in values:
            v = v.get(scim_key(v, part)) if isinstance(v, dict) else None
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
        wanted = (json_string(raw[1:-1]) if raw.startswith('"') else json_value(raw)) \
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


def attribute_names(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ScimError("attributes are a comma-separated list of names", 400, "invalidValue")
    return [v.strip() for v in value if v.strip()]


def projected(doc: dict, attributes: list[str], excluded: list[str]) -> dict:
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
            key = scim_key(source, top)
            if key not in source:
                continue
            value = source[key]
            if sub and isinstance(value, list):
                value = [{scim_key(i, sub): i.get(scim_key(i, sub))} for i in value
                         if isinstance(i, dict)]
            elif sub and isinstance(value, dict):
                value = {scim_key(value, sub): value.get(scim_key(value, sub))}
            target[key] = value
        if out.get(ENTERPRISE) == {}:
            out.pop(ENTERPRISE)
        return out
    out = json.loads(json.dumps(doc))
    for name in excluded:
        urn, top, sub = split(name)
        target = out.get(urn, {}) if urn else out
        key = scim_key(target, top)
        if key in ("id", "schemas"):
            continue
        if sub and isinstance(target.get(key), list):
            for item in target[key]:
                item.pop(scim_key(item, sub), None)
        elif sub and isinstance(target.get(key), dict):
            target[key].pop(scim_key(target[key], sub), None)
        else:
            target.pop(key, None)
    if out.get(ENTERPRISE) == {}:
        out.pop(ENTERPRISE)
    return out


def listing(resources: list[dict], total: int, start: int):
    return answer({"schemas": [LIST], "totalResults": total, "startIndex": start,
                    "itemsPerPage": len(resources), "Resources": resources})


def _number(value, name: str, default: int) -> int:
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ScimError(f"{name} is a whole number", 400, "invalidValue") from None
    return max(-MAX_PAGE_NUMBER, min(number, MAX_PAGE_NUMBER))  # past it, pages are empty


def run_search(kind: str, params: dict):
    """A page of the users or groups that match params (filter, startIndex, count, ...)."""
    session = db.session()
    keep = _filter(params.get("filter"))
    start = max(1, _number(params.get("startIndex"), "startIndex", 1))
    count = min(MAX_PAGE, max(0, _number(params.get("count"), "count", PAGE)))
    attributes = attribute_names(params.get("attributes"))
    excluded = attribute_names(params.get("excludedAttributes"))
    if kind == "all":  # POST /.search: users, then groups
        docs = [d for d in (*map(user_doc, session.scalars(select(User).order_by(User.id))),
                            *map(group_doc, session.scalars(select(DirectoryGroup).order_by(
                                DirectoryGroup.created_at, DirectoryGroup.id)))) if keep(d)]
        page = docs[start - 1:start - 1 + count]
        return listing([projected(d, attributes, excluded) for d in page], len(docs), start)
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
        return listing([projected(render(r), attributes, excluded) for r in rows], total, start)
    simple = COMPARISON.match(text) if " and " not in text.lower() else None
    if simple and simple.group("op").lower() == "eq" and simple.group("attr").lower() in columns \
            and (simple.group("value") or "").startswith('"'):  # the directories' usual lookup
        column = columns[simple.group("attr").lower()]
        query = query.where(func.lower(column) == json_value(simple.group("value")).lower())
    docs = [d for d in (render(r) for r in session.scalars(query)) if keep(d)]
    page = docs[start - 1:start - 1 + count]
    return listing([projected(d, attributes, excluded) for d in page], len(docs), start)
