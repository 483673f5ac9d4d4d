"""The real service: `jitlearn serve` as its own process, called over HTTP."""

import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e


def test_health_over_http(service, http):
    base, *_ = service
    status, body = http(base, "/healthz")
    assert status == 200 and body["status"] == "ok" and body["checks"]["documents"] > 50


def test_expense_page_gets_the_expense_policy_and_sport_gets_nothing(service, http):
    base, token, *_ = service
    status, body = http(base, "/api/v1/suggestions",
                        {"context": {"title": "Expense report - Navan"}}, token)
    assert status == 200 and body["suggestions"][0]["id"] == "samples:policies/expenses.md"
    status, body = http(base, "/api/v1/suggestions",
                        {"context": {"title": "Premier League results - BBC Sport"}}, token)
    assert status == 200 and body["suggestions"] == []


def test_feedback_round_trip_over_http(service, http):
    base, token, *_ = service
    ctx = {"context": {"title": "Parental leave request"}}
    _, first = http(base, "/api/v1/suggestions", ctx, token)
    top = first["suggestions"][0]["id"]
    status, _ = http(base, "/api/v1/feedback", {"request_id": first["request_id"],
                                                "content_id": top, "action": "dismissed"}, token)
    assert status == 201
    _, again = http(base, "/api/v1/suggestions", ctx, token)
    assert top not in [s["id"] for s in again["suggestions"]]


def test_errors_over_http_are_json(service, http):
    base, token, *_ = service
    assert http(base, "/api/v1/suggestions", {"context": {"title": 1}}, token)[0] == 400
    assert http(base, "/api/v1/suggestions", {"context": {"title": "x"}})[0] == 401
    status, body = http(base, "/api/v1/suggestions", {"context": {"title": "x" * 70_000}}, token)
    assert status == 413 and body["error"] == "too_large"


def test_a_busy_port_is_a_clear_error(service, jitlearn_bin):
    base, _, _, env = service
    port = base.rsplit(":", 1)[1]
    out = subprocess.run([str(jitlearn_bin), "serve", "--port", port], capture_output=True,
                         text=True, env=env, timeout=60)
    assert out.returncode == 1 and "Pick another with --port" in out.stderr
    assert "Traceback" not in out.stderr


def test_a_person_steers_suggestions_and_the_feed_over_http(service, http, jitlearn_bin):
    base, _, _, env = service
    run = lambda *a: subprocess.run([str(jitlearn_bin), *a], env=env, check=True,  # noqa: E731
                                    capture_output=True, text=True).stdout.strip()
    run("import", "roles", str(Path(__file__).resolve().parents[2] / "samples" / "career"
                               / "roles.csv"))
    run("users", "add", "sam-e2e", "--groups", "engineering")
    token = run("tokens", "create", "sam-e2e")
    page = {"context": {"title": "FY2027 annual budgeting cycle - Finance",
                        "text": "Budget owners plan headcount and opex per cost center."}}
    status, profile = http(base, "/api/v1/me/profile", {
        "current_title": "Sr. Software Engineer", "target_roles": ["org:engineering-manager"]},
        token, method="PUT")
    assert status == 200 and profile["role"]["id"] == "org:senior-software-engineer"
    status, body = http(base, "/api/v1/suggestions", page, token)
    course = next(s for s in body["suggestions"] if s["type"] == "course")
    assert course["reasons"][0].endswith("needed for Engineering Manager, your target role")
    status, feed = http(base, "/api/v1/me/feed?per_page=50", token=token)
    assert status == 200 and "gap" in {i["source"] for i in feed["items"]}
    status, gaps = http(base, "/api/v1/me/gaps", token=token)
    assert status == 200 and gaps["gaps"][0]["roles"] == ["Engineering Manager"]
