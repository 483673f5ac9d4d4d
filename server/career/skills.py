"""Skills meet content: the taxonomy topics that teach a skill, and the content on them.

Skills meet content through the taxonomy: a topic names the skills content on it teaches, and a
skill's own words name topics ("Budgeting" is the budgeting topic).
"""

import re

from flask import Flask
from whoosh.analysis import StemmingAnalyzer

from index import SUBJECT_WEIGHT, SearchHit, SearchRequest
from server.runtime import index_of, taxonomy_of
from server.state import runtime_of

_WORDS = StemmingAnalyzer(stoplist=None, minsize=1)  # the index's words, stop words kept


def skill_topics(app: Flask, name: str) -> list[str]:
    """Taxonomy topics that teach a skill: those naming it, and those its words name."""
    named = _phrases(app)["skills"].get(name.lower(), [])
    return list(dict.fromkeys([*named, *named_topics(app, name)]))


def named_topics(app: Flask, text: str) -> list[str]:
    """Taxonomy topics whose phrases the text says (a goal, a skill's name), each phrase word
    for word and in order, stop words included ("IT team" is not "the team's"); a phrase
    inside a longer one found there ("learning" in "machine learning") does not count."""
    said = _sequence(text)
    starting = _phrases(app)["sequences"]  # first word -> (phrase, topic) starting with it
    found = [(start, start + len(phrase), topic) for start, word in enumerate(said)
             for phrase, topic in starting.get(word, ())
             if tuple(said[start:start + len(phrase)]) == phrase]
    kept = [m for m in found if not any(o[0] <= m[0] and m[1] <= o[1] and o[1] - o[0] > m[1] - m[0]
                                        for o in found)]
    return list(dict.fromkeys(t for _, _, t in sorted(kept)))


def _sequence(text: str) -> list[str]:
    """The words of a text, lower case and stemmed, stop words kept."""
    return [t.text for t in _WORDS(text)]


def _phrases(app: Flask) -> dict:
    runtime = runtime_of(app)
    cached = runtime.skill_phrases
    if cached is None:
        with runtime.lock:
            taxonomy, analyze = taxonomy_of(app), index_of(app).analyze
            skills: dict[str, list[str]] = {}
            phrases, names = [], []
            sequences: dict[str, list[tuple[tuple[str, ...], str]]] = {}
            family: dict[str, set[str]] = {}  # a topic's parent, siblings and children
            for topic in taxonomy.topics.values():
                for skill in topic.skills:  # only topics that name it themselves
                    skills.setdefault(skill.lower(), []).append(topic.id)
                for phrase in topic.phrases():
                    phrases.append((frozenset(analyze(phrase)), topic.id))
                    if words := tuple(_sequence(phrase)):
                        sequences.setdefault(words[0], []).append((words, topic.id))
                for own in (topic.label, topic.id.replace("-", " ")):
                    names.append((frozenset(analyze(own)), topic.id))
                if topic.parent:
                    family.setdefault(topic.id, set()).add(topic.parent)
                    family.setdefault(topic.parent, set()).add(topic.id)
            for topic in taxonomy.topics.values():
                if topic.parent:
                    family[topic.id] |= family.get(topic.parent, set()) - {topic.id}
            cached = runtime.skill_phrases = {"skills": skills, "phrases": phrases,
                                              "names": names, "family": family,
                                              "sequences": sequences}
    return cached


def teaching(app: Flask, name: str, groups: set[str] | None, limit: int = 3) -> list[SearchHit]:
    """Content that teaches a skill, best first.

    Content counts when its subject is a topic that is the skill: a topic naming it among its
    skills, or named like it ("Delegation", "Hiring"). A topic that merely lists the skill's name
    among its synonyms is wider than the skill ("Excel" is one of many words for data and
    analytics), so its content counts only when its title says the skill's words too; and for a
    skill no topic knows, content whose title says every word of its name as a word. A word is
    never matched by its stem alone: "Excel" is not "Center of Excellence".

    Among those, content that is also about the family of the topic named like the skill (its
    parent, siblings and children) comes first: budgeting sits under finance beside expenses, so
    "Budgeting and overseeing tech projects" goes before "Engineering Error Budgets", which is
    about reliability."""
    ix = index_of(app)
    stems = frozenset(ix.analyze(name))
    if all(len(t) < 2 for t in stems):  # "C", "C#", "R": too little to find anything by
        return []
    phrases = _phrases(app)
    called = [t for named, t in phrases["names"] if named == stems]  # "Budgeting": budgeting
    are = list(dict.fromkeys([*phrases["skills"].get(name.lower(), []), *called]))
    wider = [t for phrase, t in phrases["phrases"] if phrase == stems and t not in are]
    hits = ix.rank(SearchRequest(words=[(name, 1.0)], topics=[(t, 1.0) for t in are + wider],
                                 limit=limit * 5, groups=groups))
    words = [w for w in re.findall(r"[\w+#]+", name.lower()) if ix.analyze(w)]

    def says(hit: SearchHit) -> bool:
        return bool(words) and all(
            re.search(rf"(?<![\w+#]){re.escape(w)}(?:s|es)?(?![\w+#])", hit.title.lower())
            for w in words)

    def on(hit: SearchHit, topics: list[str]) -> bool:
        return any(hit.topics.get(t, 0.0) >= SUBJECT_WEIGHT for t in topics)

    kept = [h for h in hits if on(h, are) or says(h) and (on(h, wider) or not are + wider)]
    family = set().union(*(phrases["family"].get(t, set()) for t in called)) - set(are)
    kin = {h.id: max([h.topics.get(t, 0.0) for t in family] or [0.0]) for h in kept}
    kept.sort(key=lambda h: (kin[h.id] == 0.0, -h.score))  # what its family is about at all, first
    out, titles = [], set()
    for hit in kept:  # two copies of one course (two sources of it) count once
        title = " ".join(hit.title.lower().split())
        if title not in titles:
            titles.add(title)
            out.append(hit)
    return out[:limit]
