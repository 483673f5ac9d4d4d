"""Admin topic rules: phrases, token patterns, URL host/path patterns and entity labels, each to
a topic. A phrase rule is a token pattern of its words, matched in any case."""

import hashlib
import json
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path
from urllib.parse import urlsplit

import re2
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc, Token

from .hits import Hit, add_hits, field_of
from .taxonomy import DATA, Taxonomy

DEFAULT_RULES = DATA / "rules.jsonl"
KINDS = ("phrase", "tokens", "url", "entity")
# token attributes a REGEX may test, and how to read each from a Token
REGEX_ATTRS = {"TEXT": "text", "ORTH": "orth_", "LOWER": "lower_", "NORM": "norm_",
               "LEMMA": "lemma_", "SHAPE": "shape_", "PREFIX": "prefix_", "SUFFIX": "suffix_",
               "POS": "pos_", "TAG": "tag_", "DEP": "dep_", "ENT_TYPE": "ent_type_"}
MAX_REGEX = 200  # characters in a REGEX value


class RuleError(ValueError):
    """A rule is malformed; the message names the rule and what to fix."""


@dataclass
class Rule:
    id: str
    topic: str
    weight: float
    kind: str
    pattern: list = field(default_factory=list)  # tokens: spaCy Matcher token patterns
    host: str = "*"  # url: glob on the host name, e.g. "*.coupahost.com"
    path: str = "*"  # url: glob on the path, e.g. "/requisitions*"
    label: str = ""  # entity: entity label, e.g. "ORG"
    texts: list[str] = field(default_factory=list)  # entity: only these entity texts (lower case)

    @classmethod
    def from_dict(cls, data: dict, where: str = "rule") -> "Rule":
        if not isinstance(data, dict):
            raise RuleError(f"{where}: expected an object")
        missing = [k for k in ("id", "topic", "kind") if not data.get(k)]
        if missing:
            raise RuleError(f"{where}: missing {', '.join(missing)}")
        if data["kind"] not in KINDS:
            raise RuleError(f"{where} ({data['id']}): kind must be one of {', '.join(KINDS)}")
        try:
            weight = float(data.get("weight", 1.0))
        except (TypeError, ValueError) as exc:
            raise RuleError(f"{where} ({data['id']}): weight must be a number") from exc
        if not 0 < weight <= 5:
            raise RuleError(f"{where} ({data['id']}): weight must be in (0, 5]")
        pattern = data.get("pattern") or []
        if data["kind"] == "phrase":  # words in this order, any case: a token pattern
            words = str(data.get("phrase") or "").lower().split()
            if not words or len(words) > 12:
                raise RuleError(f"{where} ({data['id']}): a phrase rule needs a phrase of 1-12 "
                                "words")
            pattern = [{"LOWER": w} for w in words]
        rule = cls(id=str(data["id"]), topic=str(data["topic"]), weight=weight,
                   kind="tokens" if data["kind"] == "phrase" else data["kind"],
                   pattern=pattern,
                   host=str(data.get("host") or "*").lower(), path=str(data.get("path") or "*"),
                   label=str(data.get("label") or ""),
                   texts=[str(t).lower() for t in data.get("texts") or []])
        if rule.kind == "tokens" and not (isinstance(rule.pattern, list) and rule.pattern):
            raise RuleError(f"{where} ({rule.id}): a tokens rule needs a non-empty pattern list")
        if rule.kind == "entity" and not rule.label:
            raise RuleError(f"{where} ({rule.id}): an entity rule needs a label")
        return rule

    def matches_url(self, url: str) -> bool:
        try:
            parts = urlsplit(url if "//" in url else "//" + url)
        except ValueError:
            return False
        host = (parts.hostname or "").lower()
        return bool(host) and fnmatchcase(host, self.host) and fnmatchcase(parts.path or "/",
                                                                          self.path)


def load_rules(path: str | Path | None = None, taxonomy: Taxonomy | None = None) -> list[Rule]:
    """Read rules from JSONL; every rule must point at a taxonomy topic when one is given."""
    path = Path(path or DEFAULT_RULES)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise RuleError(f"cannot read rules {path}: {exc}") from exc
    rules = []
    for n, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith("//"):
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise RuleError(f"{path}:{n}: not JSON ({exc.msg})") from exc
        rule = Rule.from_dict(data, f"{path.name}:{n}")
        if taxonomy is not None and rule.topic not in taxonomy.topics:
            raise RuleError(f"{path.name}:{n} ({rule.id}): unknown topic {rule.topic!r}")
        rules.append(rule)
    return rules


@Language.factory("topic_rules", default_config={"path": None, "taxonomy": None})
def make_topic_rules(nlp: Language, name: str, path: str | None, taxonomy: str | None):
    tax = Taxonomy.load(taxonomy)
    return TopicRules(nlp, name, load_rules(path, tax), tax)


def compile_regex(regex, where: str):
    """A REGEX value as RE2, which matches in time linear in the text: Python's re backtracks,
    and "(a|a)*b" on 28 characters does not finish in minutes. RE2 refuses what it cannot do in
    linear time (back-references, look-arounds), and so do we."""
    if not isinstance(regex, str) or not 0 < len(regex) <= MAX_REGEX:
        raise RuleError(f"{where}: a REGEX is a string of 1-{MAX_REGEX} characters")
    options = re2.Options()
    options.log_errors = False
    try:
        return re2.compile(regex, options)
    except re2.error as exc:
        message = exc.args[0].decode() if exc.args and isinstance(exc.args[0], bytes) else exc
        raise RuleError(f"{where}: REGEX {regex!r} is not supported ({message}); "
                        "back-references and look-arounds are not") from None


def linear_regexes(pattern: list, where: str) -> list:
    """The token pattern with every {"ATTR": {"REGEX": r}} replaced by a test of a Token
    extension that runs r in RE2; spaCy's own REGEX would run Python's re."""
    out = []
    for token in pattern:
        if not isinstance(token, dict):
            out.append(token)
            continue
        token = dict(token)
        for attr, value in list(token.items()):
            if not (isinstance(value, dict) and "REGEX" in value):
                continue
            if attr not in REGEX_ATTRS or len(value) != 1:
                raise RuleError(f"{where}: REGEX works on {', '.join(REGEX_ATTRS)}, alone")
            compiled = compile_regex(value["REGEX"], where)
            name = "jitlearn_re_" + hashlib.sha1(
                f"{attr}\0{value['REGEX']}".encode()).hexdigest()[:16]
            if not Token.has_extension(name):
                read = REGEX_ATTRS[attr]
                Token.set_extension(name, getter=lambda t, c=compiled, a=read:
                                    c.search(getattr(t, a)) is not None)
            del token[attr]
            token.setdefault("_", {})[name] = True
        out.append(token)
    return out


class TopicRules:
    """Fires admin rules on a Doc; the URL comes from doc._.url, entities from the NER."""

    def __init__(self, nlp: Language, name: str, rules: list[Rule], taxonomy: Taxonomy):
        self.name = name
        self.taxonomy = taxonomy
        self.rules = {r.id: r for r in rules}
        self.matcher = Matcher(nlp.vocab, validate=True)
        for rule in rules:
            if rule.kind == "tokens":
                try:
                    self.matcher.add(rule.id, [linear_regexes(rule.pattern, f"rule {rule.id}")])
                except (ValueError, KeyError, TypeError) as exc:
                    raise RuleError(f"rule {rule.id}: bad token pattern ({exc})") from exc

    def __call__(self, doc: Doc) -> Doc:
        self.set_annotations(doc, self.match(doc))
        return doc

    def match(self, doc: Doc) -> list[tuple[Rule, str, str]]:
        """(rule, evidence, field) for every rule that fires."""
        fired = []
        for match_id, start, end in self.matcher(doc):
            span = doc[start:end]
            fired.append((self.rules[doc.vocab.strings[match_id]], span.text,
                          field_of(doc, span.start_char)))
        url = doc._.url or ""
        for rule in self.rules.values():
            if rule.kind == "url" and url and rule.matches_url(url):
                fired.append((rule, urlsplit(url).hostname or url, "url"))
            elif rule.kind == "entity":
                for ent in doc.ents:
                    if ent.label_ == rule.label and (not rule.texts
                                                     or ent.text.lower() in rule.texts):
                        fired.append((rule, ent.text, field_of(doc, ent.start_char)))
        return fired

    def set_annotations(self, doc: Doc, fired: list[tuple[Rule, str, str]]) -> None:
        add_hits(doc, [Hit(topic=r.topic, label=self.taxonomy.label(r.topic), weight=r.weight,
                           evidence=evidence, kind="rule", field=fld, rule=r.id)
                       for r, evidence, fld in fired])
