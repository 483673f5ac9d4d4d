"""Analytics for L&D and admins, aggregates only: topic demand over time, how suggestions fare by
topic and by rule, content gaps (topics people meet with little content: what to create next),
stale content by owner.

Every count is of distinct people or of events over at least MIN_GROUP people; smaller groups
are left out, never shown as "fewer than 5". Requests keep topic and rule ids, never text.
"""

import csv
import io
import json
import re
import threading
import time
from collections import Counter, defaultdict
from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from index import SUBJECT_WEIGHT
from server.runtime import index_of, taxonomy_of
from server.state import runtime_of
from server.storage.models import Opportunity, OpportunityInterest, now

MIN_GROUP = 5
WEEKS = 12
CACHE_S = 60  # analytics take in new events at most once a minute per process
EPOCH = datetime(1970, 1, 5)  # a Monday: weeks run Monday to Sunday


def _list(value) -> list:
    """A JSON column read raw: SQLite gives text, PostgreSQL a list already."""
    if isinstance(value, list):
        return value
    return json.loads(value) if value else []


def week_of(value) -> int:
    """Weeks since 1970 of a timestamp (a datetime, or SQLite's text)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return (value - EPOCH).days // 7


class Rollup:
    """Requests and feedback folded into per-topic and per-rule weekly counts, incrementally:
    the first load reads the whole window, later refreshes only what came since."""

    def __init__(self):
        self.lock = threading.Lock()
        self.ready = False
        self.loading = False
        self.people = defaultdict(lambda: defaultdict(set))  # topic -> week -> people
        self.shown = defaultdict(Counter)  # topic -> week -> suggestions shown
        self.rule_people = defaultdict(lambda: defaultdict(set))  # rule -> week -> people
        self.actions = defaultdict(lambda: defaultdict(Counter))  # topic -> week -> action
        self.rule_actions = defaultdict(lambda: defaultdict(Counter))
        # request id -> (week, topics, rules), for the feedback that refers to it; requests
        # older than the window are let go
        self.requests: dict[str, tuple[int, list, list]] = {}
        self.events_since = None  # created_at of the newest request read
        self.boundary: set[str] = set()  # request ids read at exactly that time
        self.feedback_id = 0
        self.refreshed = 0.0

    def refresh(self, db: Session) -> None:
        with self.lock:
            since = self.events_since or (now() - timedelta(weeks=WEEKS + 1))
            rows = db.execute(text(
                "SELECT request_id, user_id, created_at, topics, shown, rules "
                "FROM suggestion_events WHERE created_at >= :since ORDER BY created_at"),
                {"since": since})
            newest, at_newest = self.events_since, set(self.boundary)
            for request_id, user_id, at, topics, shown, rules in rows:
                if request_id in self.boundary:
                    continue
                topics, rules = _list(topics), _list(rules)
                if isinstance(at, str):
                    at = datetime.fromisoformat(at)
                if newest is None or at > newest:
                    newest, at_newest = at, {request_id}
                elif at == newest:
                    at_newest.add(request_id)
                if topics == ["feed"]:
                    continue
                week = week_of(at)
                count = len(_list(shown))
                for topic in topics:
                    self.people[topic][week].add(user_id)
                    self.shown[topic][week] += count
                for rule in rules:
                    self.rule_people[rule][week].add(user_id)
                self.requests[request_id] = (week, topics, rules)
            self.events_since, self.boundary = newest, at_newest
            oldest = week_of(now()) - WEEKS - 1  # feedback this late no longer counts
            if len(self.requests) > 1000 and next(iter(self.requests.values()))[0] < oldest:
                self.requests = {k: v for k, v in self.requests.items() if v[0] >= oldest}
            rows = db.execute(text("SELECT id, request_id, action, created_at FROM feedback "
                                   "WHERE id > :last ORDER BY id"), {"last": self.feedback_id})
            for row_id, request_id, action, at in rows:
                self.feedback_id = row_id
                _, topics, rules = self.requests.get(request_id, (0, [], []))
                week = week_of(at)
                for topic in topics:
                    self.actions[topic][week][action] += 1
                for rule in rules:
                    self.rule_actions[rule][week][action] += 1
            self.ready, self.refreshed = True, time.time()

    def snapshot(self, app: Flask) -> dict:
        """The tables of the last WEEKS weeks, groups under MIN_GROUP people left out."""
        taxonomy = taxonomy_of(app)
        current = week_of(now())
        window = range(current - WEEKS + 1, current + 1)
        with self.lock:
            people = {t: set().union(*(weeks.get(w, set()) for w in window))
                      for t, weeks in self.people.items() if t in taxonomy.topics}
            busiest = sorted((t for t in people if len(people[t]) >= MIN_GROUP),
                             key=lambda t: (-len(people[t]), t))
            demand = [{"topic": taxonomy.label(t), "weeks": [
                len(self.people[t].get(w, ())) if len(self.people[t].get(w, ())) >= MIN_GROUP
                else None for w in window]} for t in busiest[:8]]

            def acted(table, key, action):
                return sum(table[key][w][action] for w in window)

            fared = [{"topic": taxonomy.label(t), "people": len(people[t]),
                      "shown": sum(self.shown[t][w] for w in window),
                      "opened": acted(self.actions, t, "opened"),
                      "helpful": acted(self.actions, t, "helpful"),
                      "not_relevant": acted(self.actions, t, "not_relevant")}
                     for t in busiest[:15]]
            rules = []
            for rule, weeks in self.rule_people.items():
                who = set().union(*(weeks.get(w, set()) for w in window))
                if len(who) < MIN_GROUP:
                    continue
                helpful = acted(self.rule_actions, rule, "helpful")
                wrong = acted(self.rule_actions, rule, "not_relevant")
                rules.append({"rule": rule, "people": len(who), "helpful": helpful,
                              "not_relevant": wrong, "precision": round(
                                  helpful / (helpful + wrong), 2) if helpful + wrong else None})
        rules.sort(key=lambda r: (-r["people"], r["rule"]))
        return {"demand": demand, "fared": fared, "rules": rules[:20],
                "gaps": gaps(app, people), "stale": stale_by_owner(app),
                "weeks": WEEKS, "computed_at": time.time()}


def rollup(app: Flask) -> Rollup:
    runtime = runtime_of(app)
    with runtime.lock:
        if runtime.rollup is None:
            runtime.rollup = Rollup()
    return runtime.rollup


def ready_rollup(app: Flask, db: Session) -> Rollup | None:
    """The rollup with everything up to now (reading only what is new), or None while its
    first load runs in the background."""
    r = rollup(app)
    if not r.ready:
        _start_load(app, r)
        return None
    r.refresh(db)
    return r


def _start_load(app: Flask, r: Rollup) -> None:
    if not r.loading:
        r.loading = True
        real = getattr(app, "_get_current_object", lambda: app)()  # not the proxy
        threading.Thread(target=_load, args=(real, r), daemon=True,
                         name="analytics-load").start()


def _load(app: Flask, r: Rollup) -> None:
    try:
        with runtime_of(app).sessions() as db:
            r.refresh(db)
    finally:
        r.loading = False


def gaps(app: Flask, people: dict[str, set]) -> list[dict]:
    """Topics people meet at work with no or weak content, most demand first."""
    profiles = index_of(app).profiles()
    strong: Counter = Counter()
    for meta in profiles.meta:
        for topic, weight in json.loads(meta.get("topic_weights") or "{}").items():
            if weight >= SUBJECT_WEIGHT:
                strong[topic] += 1
    taxonomy = taxonomy_of(app)
    rows = []
    for topic, who in people.items():
        if len(who) < MIN_GROUP:
            continue
        documents = strong.get(topic, 0)
        if documents < 3:
            rows.append({"topic": taxonomy.label(topic), "id": topic, "people": len(who),
                         "documents": documents, "score": round(len(who) / (1 + documents), 2)})
    return sorted(rows, key=lambda r: (-r["score"], r["topic"]))[:20]


def stale_by_owner(app: Flask) -> list[dict]:
    counts = Counter(item["owner"] or "(no owner)"
                     for item in index_of(app).stale(int(app.config["STALE_DAYS"])))
    return [{"owner": o, "stale": n} for o, n in counts.most_common(15)]


def cached(app: Flask, db: Session) -> dict | None:
    """The analytics, or None while the first load runs in the background (a page must not
    wait seconds for it); after that, refreshed with only what is new, at most every CACHE_S."""
    r = rollup(app)
    if not r.ready:
        _start_load(app, r)
        return None
    if time.time() - r.refreshed > CACHE_S:
        r.refresh(db)
    runtime = runtime_of(app)
    snap = runtime.analytics
    if snap is None or snap["computed_at"] < r.refreshed:
        snap = runtime.analytics = r.snapshot(app)
    return {**snap, "opportunities": interest(db)}


def interest(db: Session) -> list[dict]:
    """How many people said they are interested in each opportunity: only counts of MIN_GROUP
    or more (a smaller one points at people), and never who."""
    rows = db.execute(select(Opportunity.title, Opportunity.state, func.count())
                      .join(OpportunityInterest,
                            OpportunityInterest.opportunity_id == Opportunity.id)
                      .group_by(Opportunity.id, Opportunity.title, Opportunity.state)
                      .having(func.count() >= MIN_GROUP)
                      .order_by(func.count().desc(), Opportunity.title).limit(50))
    return [{"opportunity": title, "state": state, "interested": n} for title, state, n in rows]


def _pygal():
    """pygal, without the old-style import hook it adds for its map plugins (unused here):
    Python 3.11 warns about that hook on every later import that reaches it."""
    import sys

    import pygal

    sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != "PluginImportFixer"]
    return pygal


def charts(data: dict) -> dict[str, str]:
    """SVG charts (pygal, no script): demand over time, how suggestions fare, content gaps;
    drawn once per snapshot (the page and its three images ask for them)."""
    if "_charts" not in data:
        data["_charts"] = _draw(data)
    return data["_charts"]


def _draw(data: dict) -> dict[str, str]:
    pygal = _pygal()
    from pygal.style import Style

    style = Style(background="white", plot_background="white", foreground="#1b1f24",
                  foreground_strong="#1b1f24", foreground_subtle="#4a5360",
                  colors=("#0b5cad", "#b3541e", "#1d6b2f", "#6b3fa0", "#8a6d00", "#00707a",
                          "#a1283b", "#4a5360"), font_family="system-ui, sans-serif")
    common = {"style": style, "js": [], "disable_xml_declaration": True, "height": 320,
              "width": 900, "legend_at_bottom": True, "show_y_guides": True}
    out = {}
    if data["demand"]:
        chart = pygal.Line(title="People meeting each topic, per week", **common)
        chart.x_labels = [f"-{w}w" if w else "this week" for w in range(data["weeks"] - 1, -1,
                                                                         -1)]
        for row in data["demand"]:
            chart.add(row["topic"], row["weeks"])
        out["demand"] = chart.render(is_unicode=True)
    if data["fared"]:
        chart = pygal.Bar(title="Suggestions by topic: shown, opened, helpful, not relevant",
                          x_label_rotation=30, **common)
        chart.x_labels = [r["topic"] for r in data["fared"]]
        for key, name in (("shown", "shown"), ("opened", "opened"), ("helpful", "helpful"),
                          ("not_relevant", "not relevant")):
            chart.add(name, [r[key] for r in data["fared"]])
        out["fared"] = chart.render(is_unicode=True)
    if data["gaps"]:
        chart = pygal.HorizontalBar(title="Content gaps: people per topic with little content",
                                    **common)
        for row in data["gaps"][:10]:
            noun = "document" if row["documents"] == 1 else "documents"
            chart.add(f"{row['topic']} ({row['documents']} {noun})", row["people"])
        out["gaps"] = chart.render(is_unicode=True)
    # pygal writes a config script into every chart; the console runs no inline script
    return {name: NO_SCRIPT.sub("", svg) for name, svg in out.items()}


NO_SCRIPT = re.compile(r"<script\b.*?</script>", re.S | re.I)


def as_csv(data: dict, table: str) -> str:
    rows = data[table]
    if table == "demand":
        rows = [{"topic": r["topic"], **{f"week-{data['weeks'] - 1 - i}": v
                                         for i, v in enumerate(r["weeks"])}} for r in rows]
    buffer = io.StringIO()
    if rows:
        writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows({k: inert(v) for k, v in row.items()} for row in rows)
    return buffer.getvalue()


FORMULA = ("=", "+", "-", "@", "\t", "\r")


def inert(value):
    """A cell a spreadsheet shows as text: a topic named "=HYPERLINK(...)" (topics come from
    page text and admins' names) would otherwise run as a formula in whoever opens the file."""
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA) else value
