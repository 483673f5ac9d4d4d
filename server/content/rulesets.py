"""Versions of the taxonomy and the topic rules: edit a draft, check it, publish, roll back.

The built-in files (or JITLEARN_TAXONOMY / JITLEARN_RULES) are version 0. Editing starts a draft
from the published version; every change is checked before it is saved (YAML and JSON parse,
parents and topics exist, token patterns compile and cannot run away); publishing makes the draft
the version every process loads (each checks for a new one at most every RELOAD_S seconds);
rolling back publishes a copy of an earlier version. Every change is in the audit log.
"""

import json
import re
from pathlib import Path

import spacy
from flask import Flask
from spacy.matcher import Matcher
from sqlalchemy import select
from sqlalchemy.orm import Session

from nlp.rules import DEFAULT_RULES, Rule, RuleError, linear_regexes
from nlp.taxonomy import DEFAULT_TAXONOMY, Taxonomy, TaxonomyError
from server.errors import ApiError
from server.storage import audit
from server.storage.models import RuleVersion, now

MAX_TOKENS = 12  # tokens in one token pattern
MAX_REPEATS = 2  # tokens in one pattern with "+" or "*"
TOPIC_LINE = re.compile(r"^- \{id: ([A-Za-z0-9_-]+)[,}]")


def builtin(app: Flask) -> tuple[str, str]:
    taxonomy = Path(app.config["TAXONOMY"] or DEFAULT_TAXONOMY)
    rules = Path(app.config["RULES"] or DEFAULT_RULES)
    return taxonomy.read_text(encoding="utf-8"), rules.read_text(encoding="utf-8")


def published(db: Session) -> RuleVersion | None:
    return db.scalars(select(RuleVersion).where(RuleVersion.status == "published")
                      .order_by(RuleVersion.id.desc()).limit(1)).first()


def draft(db: Session) -> RuleVersion | None:
    return db.scalars(select(RuleVersion).where(RuleVersion.status == "draft")
                      .order_by(RuleVersion.id.desc()).limit(1)).first()


def texts(app: Flask, version: RuleVersion | None) -> tuple[str, str]:
    return (version.taxonomy, version.rules) if version is not None else builtin(app)


def paths(app: Flask, version: RuleVersion | None) -> tuple[str | None, str | None]:
    """Files the pipeline loads for a version (written once under HOME/rulesets/)."""
    if version is None:
        return app.config["TAXONOMY"] or None, app.config["RULES"] or None
    folder = Path(app.config["HOME"]) / "rulesets" / f"v{version.id}"
    taxonomy, rules = folder / "taxonomy.yaml", folder / "rules.jsonl"
    if not (taxonomy.exists() and rules.exists()):
        folder.mkdir(parents=True, exist_ok=True)
        taxonomy.write_text(version.taxonomy, encoding="utf-8")
        rules.write_text(version.rules, encoding="utf-8")
    return str(taxonomy), str(rules)


def check(taxonomy_text: str, rules_text: str) -> tuple[Taxonomy, list[Rule]]:
    """Parse and check a version; ApiError (400) says what is wrong and where."""
    try:
        taxonomy = Taxonomy.parse(taxonomy_text)
    except TaxonomyError as exc:
        raise ApiError("invalid_taxonomy", str(exc)) from exc
    rules, matcher = [], Matcher(spacy.blank("en").vocab, validate=True)
    for n, line in enumerate(rules_text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("//"):
            continue
        try:
            rule = Rule.from_dict(json.loads(line), f"rule line {n}")
        except json.JSONDecodeError as exc:
            raise ApiError("invalid_rule", f"rule line {n}: not JSON ({exc.msg})") from exc
        except RuleError as exc:
            raise ApiError("invalid_rule", str(exc)) from exc
        if rule.topic not in taxonomy.topics:
            raise ApiError("invalid_rule", f"rule {rule.id}: no topic {rule.topic!r}")
        if rule.kind == "tokens":
            _check_pattern(rule)
            try:
                matcher.add(rule.id, [rule.pattern])
            except (ValueError, KeyError, TypeError) as exc:
                raise ApiError("invalid_rule", f"rule {rule.id}: the token pattern does not "
                               f"compile: {str(exc).splitlines()[0][:300]}") from exc
        if len(rule.host) > 200 or len(rule.path) > 200:
            raise ApiError("invalid_rule", f"rule {rule.id}: host and path globs are at most "
                           "200 characters")
        rules.append(rule)
    ids = [r.id for r in rules]
    if len(ids) != len(set(ids)):
        raise ApiError("invalid_rule", "two rules have the same id")
    return taxonomy, rules


def _check_pattern(rule: Rule) -> None:
    """Refuse token patterns that could run away: too long, too many repeats, a REGEX RE2
    cannot run in linear time."""
    if not all(isinstance(t, dict) for t in rule.pattern):
        raise ApiError("invalid_rule", f"rule {rule.id}: a token pattern is a list of objects")
    if len(rule.pattern) > MAX_TOKENS:
        raise ApiError("invalid_rule", f"rule {rule.id}: at most {MAX_TOKENS} tokens")
    repeats = sum(1 for t in rule.pattern if t.get("OP") in ("+", "*"))
    if repeats > MAX_REPEATS:
        raise ApiError("invalid_rule", f"rule {rule.id}: at most {MAX_REPEATS} repeated tokens "
                       "(OP + or *): more can take very long on a long page")
    try:  # a REGEX runs in RE2, in linear time; what RE2 cannot run is refused here
        linear_regexes(rule.pattern, f"rule {rule.id}")
    except RuleError as exc:
        raise ApiError("invalid_rule", str(exc)) from None


def open_draft(app: Flask, db: Session, actor: str) -> RuleVersion:
    """The draft being edited, started from the published version if there is none. A new
    draft is kept only with the change that opened it (_save commits both): a refused change
    opens nothing."""
    current = draft(db)
    if current is None:
        base = published(db)
        taxonomy, rules = texts(app, base)
        current = RuleVersion(status="draft", taxonomy=taxonomy, rules=rules, created_by=actor,
                              based_on=base.id if base else 0)
        db.add(current)
        audit.record(db, actor, "draft.start", f"based on version {base.id if base else 0}")
        db.flush()
    return current


def _save(db: Session, version: RuleVersion, taxonomy: str, rules: str, actor: str,
          action: str, target: str, **detail) -> None:
    check(taxonomy, rules)
    version.taxonomy, version.rules = taxonomy, rules
    audit.record(db, actor, action, target, **detail)
    db.commit()


def put_topic(app: Flask, db: Session, actor: str, data: dict) -> None:
    """Add or replace a topic in the draft: {id, label, parent, synonyms, skills}."""
    import yaml

    if not isinstance(data, dict) or not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,59}",
                                                      str(data.get("id", ""))):
        raise ApiError("invalid_topic", "a topic id is lower-case letters, digits and '-'")
    entry = {"id": data["id"], "label": str(data.get("label") or "").strip()}
    if data.get("parent"):
        entry["parent"] = str(data["parent"])
    for key in ("synonyms", "skills"):
        values = [str(v).strip() for v in data.get(key) or [] if str(v).strip()]
        if len(values) > 200 or any(len(v) > 100 for v in values):
            raise ApiError("invalid_topic", f"{key}: at most 200, each at most 100 characters")
        if values:
            entry[key] = values
    line = "- " + yaml.safe_dump(entry, default_flow_style=True, width=10**6,
                                 allow_unicode=True).strip()
    version = open_draft(app, db, actor)
    lines = version.taxonomy.splitlines()
    at = [i for i, x in enumerate(lines) if (m := TOPIC_LINE.match(x)) and m[1] == entry["id"]]
    if at:
        lines[at[0]] = line
    else:
        lines.append(line)
    _save(db, version, "\n".join(lines) + "\n", version.rules, actor,
          "topic.update" if at else "topic.add", entry["id"], topic=entry)


def delete_topic(app: Flask, db: Session, actor: str, topic_id: str) -> None:
    version = open_draft(app, db, actor)
    lines = [x for x in version.taxonomy.splitlines()
             if not ((m := TOPIC_LINE.match(x)) and m[1] == topic_id)]
    if len(lines) == len(version.taxonomy.splitlines()):
        raise ApiError("no_such_topic", f"no topic {topic_id!r} in the draft", 404)
    _save(db, version, "\n".join(lines) + "\n", version.rules, actor, "topic.delete", topic_id)


def put_rule(app: Flask, db: Session, actor: str, data: dict) -> None:
    """Add or replace a rule in the draft (the rules file's JSON object)."""
    if not isinstance(data, dict) or not re.fullmatch(r"[A-Za-z0-9_.-]{1,80}",
                                                      str(data.get("id", ""))):
        raise ApiError("invalid_rule", "a rule id is 1-80 letters, digits, '.', '_' or '-'")
    line = json.dumps(data, ensure_ascii=False)
    version = open_draft(app, db, actor)
    lines = version.rules.splitlines()
    at = [i for i, x in enumerate(lines) if _rule_id(x) == data["id"]]
    if at:
        lines[at[0]] = line
    else:
        lines.append(line)
    _save(db, version, version.taxonomy, "\n".join(lines) + "\n", actor,
          "rule.update" if at else "rule.add", data["id"], rule=data)


def delete_rule(app: Flask, db: Session, actor: str, rule_id: str) -> None:
    version = open_draft(app, db, actor)
    lines = [x for x in version.rules.splitlines() if _rule_id(x) != rule_id]
    if len(lines) == len(version.rules.splitlines()):
        raise ApiError("no_such_rule", f"no rule {rule_id!r} in the draft", 404)
    _save(db, version, version.taxonomy, "\n".join(lines) + "\n", actor, "rule.delete",
          rule_id)


def _rule_id(line: str) -> str | None:
    if not line.strip().startswith("{"):
        return None
    try:
        return json.loads(line).get("id")
    except (json.JSONDecodeError, AttributeError):
        return None


def publish(db: Session, actor: str, note: str = "") -> RuleVersion:
    version = draft(db)
    if version is None:
        raise ApiError("no_draft", "there is no draft to publish", 409)
    check(version.taxonomy, version.rules)
    for old in db.scalars(select(RuleVersion).where(RuleVersion.status == "published")):
        old.status = "retired"
    version.status, version.note = "published", note[:500]
    version.published_by, version.published_at = actor, now()
    audit.record(db, actor, "publish", f"version {version.id}", note=note[:500])
    db.commit()
    return version


def rollback(app: Flask, db: Session, actor: str, version_id: int) -> RuleVersion:
    """Publish again what an earlier version held (version 0: the built-in files)."""
    if version_id == 0:
        taxonomy, rules = builtin(app)
    else:
        old = db.get(RuleVersion, version_id)
        if old is None or old.status == "draft":
            raise ApiError("no_such_version", f"no published version {version_id}", 404)
        taxonomy, rules = old.taxonomy, old.rules
    for row in db.scalars(select(RuleVersion).where(RuleVersion.status.in_(("published",
                                                                              "draft")))):
        row.status = "retired"
    version = RuleVersion(status="published", taxonomy=taxonomy, rules=rules, based_on=version_id,
                          created_by=actor, published_by=actor, published_at=now(),
                          note=f"rollback to version {version_id}")
    db.add(version)
    audit.record(db, actor, "rollback", f"version {version_id}")
    db.commit()
    return version


def discard(db: Session, actor: str) -> None:
    version = draft(db)
    if version is not None:
        db.delete(version)
        audit.record(db, actor, "draft.discard", f"version {version.id}")
        db.commit()
