"""Job titles -> occupations: "Sr. Software Eng." finds O*NET's Software Developers.

Every name an occupation goes by (its title, O*NET's alternate and reported titles, ESCO's
alternative labels, an organisation's own role names) is normalised by key(): lower case,
abbreviations spelt out, punctuation dropped. A title that matches a key exactly wins; then the
same without seniority words ("senior", "II"); then the occupation whose best title shares the
rarest words with it, weighted by how much of both titles the shared words cover.
"""

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass

ABBREVIATIONS = {
    "sr": "senior", "snr": "senior", "jr": "junior", "mgr": "manager", "mngr": "manager",
    "eng": "engineer", "engr": "engineer", "dev": "developer", "devs": "developers",
    "swe": "software engineer", "sde": "software engineer", "hr": "human resources",
    "vp": "vice president", "svp": "senior vice president", "evp": "executive vice president",
    "ceo": "chief executive officer", "cfo": "chief financial officer",
    "coo": "chief operating officer", "cto": "chief technology officer",
    "cio": "chief information officer", "ciso": "chief information security officer",
    "qa": "quality assurance", "ux": "user experience", "ui": "user interface",
    "it": "information technology", "admin": "administrator", "asst": "assistant",
    "assoc": "associate", "exec": "executive", "dir": "director", "coord": "coordinator",
    "rep": "representative", "reps": "representatives", "tech": "technician",
    "acct": "accountant", "ops": "operations", "sys": "systems", "db": "database",
    "dba": "database administrator", "sw": "software", "hw": "hardware", "rn": "registered nurse",
    "lpn": "licensed practical nurse", "cpa": "certified public accountant",
    "mktg": "marketing", "acctg": "accounting", "svc": "service", "cust": "customer",
    "spec": "specialist", "supv": "supervisor", "sup": "supervisor", "gm": "general manager",
    "backend": "back end", "frontend": "front end", "fullstack": "full stack",
}
SENIORITY = {"senior", "junior", "lead", "principal", "staff", "associate", "entry", "level",
             "i", "ii", "iii", "iv", "v", "1", "2", "3", "4", "trainee", "apprentice",
             "intern", "head", "chief"}
STOP = {"of", "and", "the", "for", "in", "a", "an", "to", "at", "on", "with"}
WORD = re.compile(r"[a-z0-9+#]+")


def key(title: str) -> str:
    """'Sr. Software Eng. (Backend)' -> 'senior software engineer back end' (singular words)."""
    words = WORD.findall(title.lower().replace("&", " and ").replace("c++", "cplusplus"))
    out = []
    for word in words:
        out.extend(_stem(w) for w in ABBREVIATIONS.get(word, word).split())
    return " ".join(out)


def core(title_key: str) -> str:
    """The key without seniority words: 'senior software engineer ii' -> 'software engineer'."""
    return " ".join(w for w in title_key.split() if w not in SENIORITY) or title_key


def _stem(word: str) -> str:
    """Plural to singular, enough for job titles: developers -> developer, analyses -> analysis."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _words(title_key: str) -> list[str]:
    return [w for w in title_key.split() if w not in STOP]


def _prefixes(text: str) -> set[str]:
    """Word beginnings, so that 'manager' meets 'management': for breaking ties only."""
    return {w[:5] for w in _words(key(text))}


@dataclass
class Match:
    occupation_id: str
    title: str  # the occupation's own title
    matched: str  # the name it goes by that matched
    score: float  # 0..1


# How much a kind of name counts when several occupations share it: an occupation's own title
# says most, a reported title what people in it call themselves, an alternate title the least.
KIND_WEIGHT = {"title": 1.0, "org": 1.0, "reported": 0.9, "short": 0.85, "alternate": 0.8}


class TitleMatcher:
    """Built once from (occupation id, occupation title, name, kind) rows; matches in ~1 ms."""

    def __init__(self, rows):
        self.exact: dict[str, list[tuple[float, str, str]]] = defaultdict(list)
        self.cores: dict[str, list[tuple[float, str, str]]] = defaultdict(list)
        self.titles: dict[str, str] = {}
        self.names: list[tuple[str, str, set[str]]] = []  # (occupation, name, words)
        postings: dict[str, list[int]] = defaultdict(list)
        df: Counter = Counter()
        for occupation_id, occupation_title, name, kind in rows:
            self.titles[occupation_id] = occupation_title
            k = key(name)
            if not k:
                continue
            weight = KIND_WEIGHT.get(kind, 0.8)
            self.exact[k].append((weight, occupation_id, name))
            self.cores[core(k)].append((weight * 0.95, occupation_id, name))
            words = set(_words(k))
            for w in words:
                postings[w].append(len(self.names))
                df[w] += 1
            self.names.append((occupation_id, name, words))
        n = max(len(self.names), 1)
        self.idf = {w: math.log(1 + n / c) for w, c in df.items()}
        self.postings = postings

    def __len__(self) -> int:
        return len(self.titles)

    def match(self, title: str, limit: int = 5) -> list[Match]:
        """The occupations a job title most likely names, best first (empty when none fits)."""
        k = key(title)
        if not k:
            return []
        for table, probe, score in ((self.exact, k, 1.0), (self.cores, core(k), 0.95),
                                    (self.exact, core(k), 0.95)):
            found = table.get(probe)
            if found:
                return self._ranked(found, score, limit, k)
        return self._overlap(k, limit)

    def _ranked(self, found, score: float, limit: int, title_key: str) -> list[Match]:
        best: dict[str, tuple[float, str]] = {}
        for weight, occupation_id, name in found:
            votes, _ = best.get(occupation_id, (0.0, name))
            # several names of one occupation agreeing count, with diminishing returns
            best[occupation_id] = (votes + weight if votes == 0 else votes + weight * 0.1, name)
        # an occupation whose own title shares the words wins a tie ("UX Designer": the
        # designers, not the quality assurance analysts who also go by it)
        # and then the one that more of its names say it with: "forklift" is in a dozen names
        # of the industrial truck operators and one of the construction equipment operators'
        asked = _prefixes(title_key)
        words = [w for w in _words(core(title_key)) if w in self.idf] or \
            [w for w in _words(title_key) if w in self.idf]
        support: Counter = Counter()
        if words:
            rarest = max(words, key=self.idf.__getitem__)
            support = Counter(self.names[i][0] for i in self.postings[rarest])
        for occupation_id, (votes, name) in best.items():
            own = _prefixes(self.titles[occupation_id])
            bonus = 0.2 * len(asked & own) / max(len(asked), 1) \
                + 0.1 * min(1.0, math.log1p(support[occupation_id]) / math.log1p(30))
            best[occupation_id] = (votes + bonus, name)
        ranked = sorted(best.items(), key=lambda x: (-x[1][0], x[0]))[:limit]
        top = ranked[0][1][0]
        return [Match(o, self.titles[o], name, round(score * min(1.0, votes / top), 3))
                for o, (votes, name) in ranked]

    def _overlap(self, title_key: str, limit: int) -> list[Match]:
        words = set(_words(core(title_key))) or set(_words(title_key))
        query = sum(self.idf.get(w, 0.0) for w in words)
        if not query:
            return []
        shared: Counter = Counter()
        for w in words:
            for i in self.postings.get(w, ()):
                shared[i] += self.idf[w]
        best: dict[str, tuple[float, str]] = {}
        for i, overlap in shared.items():
            occupation_id, name, name_words = self.names[i]
            size = sum(self.idf.get(w, 0.0) for w in name_words) or 1.0
            score = (overlap / query) * math.sqrt(overlap / size)  # cover the title and the name
            if score > best.get(occupation_id, (0.0, ""))[0]:
                best[occupation_id] = (score, name)
        ranked = sorted(best.items(), key=lambda x: (-x[1][0], x[0]))[:limit]
        return [Match(o, self.titles[o], name, round(min(score, 0.9), 3))
                for o, (score, name) in ranked if score >= MIN_OVERLAP]


MIN_OVERLAP = 0.35  # below this no occupation is named: better none than a wrong one
