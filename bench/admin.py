"""The admin's side under load: console pages over 100,000 feedback events, SCIM over thousands
of people."""

import json
import os
import subprocess
import time
import urllib.parse
import urllib.request
from pathlib import Path

from common import BIN, serve, summary

from server.app import create_app
from server.console.accounts import set_password
from server.people.users import add_user
from server.runtime import index_of, taxonomy_of
from server.storage import db
from server.storage.models import Feedback, SuggestionEvent, User, now

FEEDBACK_EVENTS = 100_000


def seed_events(app, n: int) -> None:
    """n requests and n feedback events over 12 weeks from 2,000 people (synthetic, for load)."""
    import random
    from datetime import timedelta

    from sqlalchemy import insert

    rng = random.Random(7)
    topics = list(taxonomy_of(app).topics)
    ids = index_of(app).profiles().ids
    with app.app_context():
        session = db.session()
        session.execute(insert(User), [{"name": f"bench{i}", "role": "employee",
                                        "pseudonym": f"b{i:07d}", "groups": []}
                                       for i in range(2000)])
        users = [u.id for u in session.query(User).filter(User.name.like("bench%"))]
        start = now()
        events, actions = [], []
        for i in range(n):
            at = start - timedelta(minutes=rng.randrange(12 * 7 * 24 * 60))
            shown = rng.sample(ids, 3)
            events.append({"request_id": f"r{i:08d}", "user_id": rng.choice(users),
                           "created_at": at, "topics": rng.sample(topics, 3), "shown": shown,
                           "rules": []})
            actions.append({"user_id": events[-1]["user_id"], "request_id": f"r{i:08d}",
                            "content_id": shown[0], "created_at": at, "topics": [],
                            "action": rng.choice(("opened", "helpful", "not_relevant",
                                                  "dismissed")), "content_hash": ""})
        for chunk in range(0, n, 10_000):
            session.execute(insert(SuggestionEvent), events[chunk:chunk + 10_000])
            session.execute(insert(Feedback), actions[chunk:chunk + 10_000])
        session.commit()


def console_pages(home: Path, tmp: Path) -> dict:
    """Server time of every console page (Flask's test client, in process), with the corpus
    indexed and FEEDBACK_EVENTS feedback events stored: the first render and the median of 5."""
    app = create_app({"HOME": str(tmp / "console"), "INDEX_DIR": str(home / "index"),
                      "LOG_LEVEL": "WARNING"})
    seed_events(app, FEEDBACK_EVENTS)
    with app.app_context():
        set_password(db.session(), add_user(db.session(), "bench-admin", "admin"),
                     "bench password 123")
    client = app.test_client()
    import re

    page = client.get("/console/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    client.post("/console/login", data={"name": "bench-admin", "password": "bench password 123",
                                        "csrf_token": token})
    doc = "gitlab-handbook:content/handbook/finance/expenses.md"
    pages = {"library": "/console/content", "search": "/console/content?q=expense+report",
             "stale": "/console/content?stale=1", "document": f"/console/content/{doc}",
             "sources": "/console/sources", "rules": "/console/rules",
             "versions": "/console/rules/versions", "analytics": "/console/analytics",
             "users": "/console/users", "me": "/console/me"}
    out = {}
    t0 = time.perf_counter()  # the analytics' first load runs in the background: wait for it
    while 'id="preparing"' in client.get("/console/analytics").get_data(as_text=True):
        time.sleep(0.1)
    out["analytics_first_load_s"] = round(time.perf_counter() - t0, 1)
    for name, path in pages.items():
        times = []
        for _ in range(6):
            t0 = time.perf_counter()
            answer = client.get(path)
            times.append((time.perf_counter() - t0) * 1000)
            if answer.status_code != 200:
                raise SystemExit(f"console page {path} answered {answer.status_code}")
        out[name] = {"first_ms": round(times[0], 1), "p50_ms": round(sorted(times[1:])[2], 1)}
    return out


def scim(tmp: Path, people: int = 2000) -> dict:
    """Provisioning over SCIM 2.0 as a directory's first sync does it: people one POST each
    (each reporting to an earlier one), a group of all of them by PATCH in batches of 100, then
    the lookups directories make before each change."""
    home = tmp / "scim"
    env = {**os.environ, "JITLEARN_HOME": str(home), "JITLEARN_LOG_LEVEL": "WARNING",
           "JITLEARN_RATE_PER_TOKEN": "0", "JITLEARN_RATE_PER_IP": "0"}
    run = lambda *a: subprocess.run([str(BIN), *a], env=env, check=True,  # noqa: E731
                                    capture_output=True, text=True).stdout.strip()
    run("users", "add", "directory", "--role", "admin")
    token = run("tokens", "create", "directory")
    proc, base = serve(env)

    def call(method, path, body=None):
        req = urllib.request.Request(base + "/scim/v2" + path, method=method,
                                     data=json.dumps(body).encode() if body else None,
                                     headers={"Content-Type": "application/scim+json",
                                              "Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(req, timeout=60) as answer:
            return json.loads(answer.read() or b"null")

    ext = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
    try:
        ids, t0 = [], time.perf_counter()
        for i in range(people):
            boss = {"manager": {"value": ids[(i - 1) // 8]}} if ids else {}
            ids.append(call("POST", "/Users", {
                "userName": f"person{i}@example.com", "externalId": f"hr-{i}",
                "emails": [{"value": f"person{i}@example.com", "primary": True}],
                ext: {"employeeNumber": str(10000 + i), "department": f"dept {i % 40}",
                      **boss}})["id"])
        create_s = time.perf_counter() - t0
        group = call("POST", "/Groups", {"displayName": "everyone"})["id"]
        t0 = time.perf_counter()
        for start in range(0, people, 100):
            call("PATCH", f"/Groups/{group}", {"Operations": [
                {"op": "add", "path": "members",
                 "value": [{"value": x} for x in ids[start:start + 100]]}]})
        members_s = time.perf_counter() - t0
        lookups, pages = [], []
        for i in range(0, people, people // 50):
            t0 = time.perf_counter()
            found = call("GET", "/Users?filter=" + urllib.parse.quote(
                f'userName eq "person{i}@example.com"'))
            lookups.append((time.perf_counter() - t0) * 1000)
            assert found["totalResults"] == 1
        for start in range(1, people, people // 10):
            t0 = time.perf_counter()
            call("GET", f"/Users?startIndex={start}&count=100")
            pages.append((time.perf_counter() - t0) * 1000)
        return {"people": people, "create_per_s": round(people / create_s),
                "group_members_per_s": round(people / members_s),
                "lookup_by_username_ms": summary(lookups), "page_of_100_ms": summary(pages)}
    finally:
        proc.terminate()
        proc.wait(timeout=10)
