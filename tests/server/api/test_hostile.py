"""Every API operation the OpenAPI document declares, sent what JSON allows but nobody should
send: nesting thousands deep, lone surrogates, integers past 64 bits. Each answers 4xx with the
error shape, never a 5xx."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server.api.openapi import openapi

HUGE = 2**64
LONE = "\ud800"
DEEP = "[" * 20_000 + "]" * 20_000  # 40 KB: under the body limit, so the parser sees it
DEEP_OBJECT = '{"a":' * 1_000 + "1" + "}" * 1_000


def operations(app) -> list[tuple[str, str, dict]]:
    doc = openapi(app)
    return [(method.upper(), path, op) for path, ops in doc["paths"].items()
            for method, op in ops.items()]


def hostile_body(schema: dict, leaf) -> object:
    """A body of the schema's shape with every string or integer leaf replaced by leaf."""
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        return {k: hostile_body(v, leaf) for k, v in schema.get("properties", {}).items()} \
            or {"x": leaf}
    if kind == "array":
        return [hostile_body(schema.get("items", {}), leaf)]
    return leaf


def fill(path: str, op: dict, number) -> str:
    for param in op.get("parameters", []):
        if param["in"] == "path":
            value = number if param["schema"].get("type") == "integer" else "x"
            path = path.replace("{" + param["name"] + "}", str(value))
    return path


@pytest.fixture
def admin(app, make_token):
    app.config.update(RATE_PER_TOKEN=0, RATE_PER_IP=0)
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {make_token('root', 'admin')}"
    return client


def refused_plainly(answer) -> None:
    assert answer.status_code < 500, answer.get_data(as_text=True)[:300]
    if answer.status_code >= 400:
        body = answer.get_json()
        assert set(body) == {"error", "message"} and "Traceback" not in body["message"]


def test_every_operation_refuses_deep_nesting_lone_surrogates_and_huge_numbers(app, admin):
    tried = 0
    for method, path, op in operations(app):
        schema = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get(
            "schema")
        refused_plainly(admin.open(fill(path, op, HUGE), method=method))
        if schema is None:
            continue
        for raw in (DEEP, DEEP_OBJECT, json.dumps(hostile_body(schema, LONE)),
                    json.dumps(hostile_body(schema, HUGE)), '{"a": 1' + "0" * 5000 + "}"):
            answer = admin.open(fill(path, op, 1), method=method, data=raw,
                                content_type="application/json")
            refused_plainly(answer)
            tried += 1
    assert tried > 40  # every JSON-taking operation was tried, not a handful


def test_a_lone_surrogate_in_a_context_is_refused_with_its_reason(admin):
    answer = admin.post("/api/v1/suggestions", json={"context": {"title": "Expense " + LONE}})
    assert answer.status_code == 400
    assert "lone surrogate" in answer.get_json()["message"]
    answer = admin.post("/api/v1/suggestions", data=DEEP, content_type="application/json")
    assert answer.status_code == 400 and "nested" in answer.get_json()["message"]
    assert admin.get(f"/api/v1/people/{HUGE}/profile").status_code == 404


LEAVES = (st.none() | st.booleans() | st.integers() | st.integers(min_value=2**63)
          | st.text(max_size=10)
          | st.text(st.characters(categories=["Cs"]), min_size=1, max_size=3)
          | st.text(st.characters(), max_size=10))
HOSTILE = st.recursive(LEAVES, lambda inner: st.lists(inner, max_size=3)
                       | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=12)
FIELDS = ("title", "url", "headings", "selection", "text", "description")
CONTEXTS = HOSTILE | st.fixed_dictionaries({}, optional={
    f: LEAVES | st.lists(LEAVES, max_size=3) for f in FIELDS})


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.fixed_dictionaries({"context": CONTEXTS}, optional={"limit": HOSTILE}))
def test_hostile_contexts_never_break_the_suggestions(admin, body):
    answer = admin.post("/api/v1/suggestions", data=json.dumps(body),
                        content_type="application/json")
    refused_plainly(answer)
