"""Employees at work, for locust: each asks for suggestions about once a second, sometimes
searches, and tells what they did with a suggestion.

Settings (environment): JITLEARN_LOAD_TOKEN, a personal API token; JITLEARN_LOAD_CONTEXTS, a
JSONL file of {"context": {...}} lines (the evaluation's contexts: real pages people work on).
Used by tests/e2e/test_load.py and bench/bench.py:

    locust -f bench/locustfile.py --headless -u 50 -r 50 -t 60s --host http://127.0.0.1:8000
"""

import json
import os
import random

from locust import HttpUser, constant_throughput, task

with open(os.environ["JITLEARN_LOAD_CONTEXTS"], encoding="utf-8") as lines:
    CONTEXTS = [json.loads(line)["context"] for line in lines if line.strip()]
WORDS = sorted({w for c in CONTEXTS for w in c.get("title", "").split() if w.isalpha()})


class Employee(HttpUser):
    wait_time = constant_throughput(float(os.environ.get("JITLEARN_LOAD_RATE", "1")))

    def on_start(self):
        self.client.headers["Authorization"] = "Bearer " + os.environ["JITLEARN_LOAD_TOKEN"]
        self.last = None

    @task(8)
    def suggest(self):
        with self.client.post("/api/v1/suggestions", json={"context": random.choice(CONTEXTS)},
                              name="suggestions", catch_response=True) as answer:
            if answer.status_code != 200:
                answer.failure(f"{answer.status_code}: {answer.text[:200]}")
                return
            body = answer.json()
            if body["suggestions"]:
                self.last = (body["request_id"], body["suggestions"][0]["id"])

    @task(1)
    def search(self):
        self.client.get("/api/v1/search", params={"q": random.choice(WORDS)}, name="search")

    @task(1)
    def feedback(self):
        if self.last is None:
            return self.suggest()
        request_id, content_id = self.last
        self.client.post("/api/v1/feedback", json={"request_id": request_id,
                                                   "content_id": content_id,
                                                   "action": random.choice(["opened", "helpful"])},
                         name="feedback")
