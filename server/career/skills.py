"""Skills meet content: the taxonomy topics that teach a skill, and the content on them.

Skills meet content through the taxonomy: a topic names the skills content on it teaches, and a
skill's own words name topics ("Budgeting" is the budgeting topic).
"""

import re

from flask import Flask

from index import SUBJECT_WEIGHT, SearchHit, SearchRequest
from server.runtime import index_of, taxonomy_of
from server.state import runtime_of


def skill_topics(app: Flask, name: str) -> list[str]:
    """Taxonomy topics that teach a skill: those naming it, and those its words name."""
    named = _phrases(app)["skills"].get(name.lower(), [])
    return list(dict.fromkeys([*named, *named_topics(app, name)]))


def named_topics(app: Flask, text: str) -> list[str]:
    """Taxonomy topics whose phrases the text says (a goal, a skill's name)."""
    stems = frozenset(index_of(app).analyze(text))
    return [t for phrase, t in _phrases(app)["phrases"] if phrase and phrase <= stems]


def _phrases(app: Flask) -> dict:
    runtime = runtime_of(app)
    cached = runtime.skill_phrases
    if cached is None:
        with runtime.lock:
            taxonomy, analyze = taxonomy_of(app), index_of(app).analyze
            skills: dict[str, list[str]] = {}
            phrases = []
            for topic in taxonomy.topics.values():
                for skill in topic.skills:  # only topics that name it themselves
                    skills.setdefault(skill.lower(), []).append(topic.id)
                for phrase in topic.phrases():
                    phrases.append((frozenset(analyze(phrase)), topic.id))
            cached = runtime.skill_phrases = {"skills": skills, "phrases": phrases}
    return cached


def teaching(app: Flask, name: str, groups: set[str] | None, limit: int = 3) -> list[SearchHit]:
    """Content that teaches a skill, best first: content whose subject is a topic that is the
    skill (a topic naming it among its skills, or whose phrase is the skill's whole name), or,
    for a skill no topic is, content whose title says every word of its name as a word.

    A topic that shares one word with the skill is not the skill: "Atlassian Confluence" is not
    every page on collaboration tools, "Excel" is not "Center of Excellence"."""
    ix = index_of(app)
    stems = frozenset(ix.analyze(name))
    if all(len(t) < 2 for t in stems):  # "C", "C#", "R": too little to find anything by
        return []
    phrases = _phrases(app)
    topics = list(dict.fromkeys([*phrases["skills"].get(name.lower(), []),
                                 *(t for phrase, t in phrases["phrases"] if phrase == stems)]))
    hits = ix.rank(SearchRequest(words=[(name, 1.0)], topics=[(t, 1.0) for t in topics],
                                 limit=limit * 5, groups=groups))
    if topics:
        kept = [h for h in hits if any(h.topics.get(t, 0.0) >= SUBJECT_WEIGHT for t in topics)]
    else:
        words = [w for w in re.findall(r"[\w+#]+", name.lower()) if ix.analyze(w)]
        kept = [h for h in hits if words and all(
            re.search(rf"(?<![\w+#]){re.escape(w)}(?:s|es)?(?![\w+#])", h.title.lower())
            for w in words)]
    return kept[:limit]
