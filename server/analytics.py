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
import time
from collections import Counter, defaultdict
from datetime import timedelta

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import Feedback, SuggestionEvent, now
from .services import index_of, taxonomy_of

MIN_GROUP = 5
WEEKS = 12
CACHE_S = 60  # analytics are recomputed at most once a minute per process
SUBJECT = 0.5  # a document this much about a topic counts as content for it


def compute(app: Flask, db: Session) -> dict:
    """Every table the analytics page shows, as plain rows."""
    since = now() - timedelta(weeks=WEEKS)
    taxonomy = taxonomy_of(app)
    weekly: dict[str, dict[int, set]] = defaultdict(lambda: defaultdict(set))
    people: dict[str, set] = defaultdict(set)
    shown: Counter = Counter()
    rule_people: dict[str, set] = defaultdict(set)
    request_rules: dict[str, list] = {}
    request_topics: dict[str, list] = {}
    start = now()
    rows = db.execute(select(SuggestionEvent.request_id, SuggestionEvent.user_id,
                             SuggestionEvent.created_at, SuggestionEvent.topics,
                             SuggestionEvent.shown, SuggestionEvent.rules)
                      .where(SuggestionEvent.created_at >= since))
    for request_id, user_id, at, topics, shown_ids, rules in rows:
        if topics == ["feed"]:
            continue
        week = (start - at).days // 7
        for topic in topics or []:
            if topic in taxonomy.topics:
                weekly[topic][week].add(user_id)
                people[topic].add(user_id)
                shown[topic] += len(shown_ids or [])
        for rule in rules or []:
            rule_people[rule].add(user_id)
        if rules:
            request_rules[request_id] = rules
        request_topics[request_id] = topics or []
    actions: dict[str, Counter] = defaultdict(Counter)
    rule_actions: dict[str, Counter] = defaultdict(Counter)
    for request_id, action in db.execute(select(Feedback.request_id, Feedback.action)
                                         .where(Feedback.created_at >= since)):
        for topic in request_topics.get(request_id, []):
            actions[topic][action] += 1
        for rule in request_rules.get(request_id, []):
            rule_actions[rule][action] += 1

    busiest = sorted((t for t in people if len(people[t]) >= MIN_GROUP),
                     key=lambda t: -len(people[t]))
    demand = [{"topic": taxonomy.label(t), "weeks": [
        len(weekly[t][w]) if len(weekly[t][w]) >= MIN_GROUP else None
        for w in range(WEEKS - 1, -1, -1)]} for t in busiest[:8]]
    fared = [{"topic": taxonomy.label(t), "people": len(people[t]), "shown": shown[t],
              "opened": actions[t]["opened"], "helpful": actions[t]["helpful"],
              "not_relevant": actions[t]["not_relevant"]} for t in busiest[:15]]
    rules = []
    for rule, who in sorted(rule_people.items(), key=lambda x: -len(x[1])):
        if len(who) < MIN_GROUP:
            continue
        said = rule_actions[rule]["helpful"] + rule_actions[rule]["not_relevant"]
        rules.append({"rule": rule, "people": len(who), "helpful": rule_actions[rule]["helpful"],
                      "not_relevant": rule_actions[rule]["not_relevant"],
                      "precision": round(rule_actions[rule]["helpful"] / said, 2)
                      if said else None})
    return {"demand": demand, "fared": fared, "rules": rules[:20],
            "gaps": gaps(app, people), "stale": stale_by_owner(app),
            "weeks": WEEKS, "computed_at": time.time()}


def gaps(app: Flask, people: dict[str, set]) -> list[dict]:
    """Topics people meet at work with no or weak content, most demand first."""
    profiles = index_of(app).profiles()
    strong: Counter = Counter()
    for meta in profiles.meta:
        for topic, weight in json.loads(meta.get("topic_weights") or "{}").items():
            if weight >= SUBJECT:
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


def cached(app: Flask, db: Session) -> dict:
    entry = app.extensions.get("jitlearn.analytics")
    if entry is None or time.time() - entry["computed_at"] > CACHE_S:
        entry = app.extensions["jitlearn.analytics"] = compute(app, db)
    return entry


def charts(data: dict) -> dict[str, str]:
    """SVG charts (pygal, no script): demand over time, how suggestions fare, content gaps."""
    import pygal
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
        writer.writerows(rows)
    return buffer.getvalue()
