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
# Abbreviations that hold an ampersand or stand for a whole title, read before the words are split.
PHRASES = {
    "fp&a": "financial planning and analysis", "l&d": "learning and development",
    "r&d": "research and development", "m&a": "mergers and acquisitions",
    "p&l": "profit and loss",
}
# Whole titles people shorten, read in what someone types only (O*NET's own names use some of
# these letters for other jobs: its "CSM" is not a customer success manager).
SHORT_TITLES = {
    "hrbp": "human resources business partner", "sre": "site reliability engineer",
    "sdr": "sales development representative", "bdr": "business development representative",
    "csm": "customer success manager", "ae": "account executive", "ea": "executive assistant",
}
# Words that say where someone sits, not what they do: "people" in a title made only of these
# is the people function (human resources): "Head of People", "People Partner".
ROLE_WORDS = {"head", "chief", "officer", "partner", "business", "director", "vice", "president",
              "operations", "lead", "manager", "specialist", "generalist", "coordinator",
              "team", "experience", "analyst", "analytics", "senior", "junior", "associate",
              "global", "of", "and", "the", "vp", "svp", "evp", "ops", "sr", "jr", "principal"}
# Leaders by another name, for a second look when a title as written finds nothing: "Head of
# Finance", "VP of Engineering" are what O*NET calls finance and engineering directors.
LEADERS = {"head", "vice president", "senior vice president", "executive vice president",
           "chief", "director"}
SENIORITY = {"senior", "junior", "lead", "principal", "staff", "associate", "entry", "level",
             "i", "ii", "iii", "iv", "v", "1", "2", "3", "4", "trainee", "apprentice",
             "intern", "head", "chief"}
STOP = {"of", "and", "the", "for", "in", "a", "an", "to", "at", "on", "with"}
WORD = re.compile(r"[a-z0-9+#]+")


def key(title: str) -> str:
    """'Sr. Software Eng. (Backend)' -> 'senior software engineer back end' (singular words);
    'Director of Engineering' -> 'engineering director', as titles are also written."""
    text = title.lower().replace("c++", "cplusplus")
    text = re.sub(r"[a-z]+&[a-z]+", lambda m: f" {PHRASES.get(m.group(), m.group())} ", text)
    raw = WORD.findall(text.replace("&", " and "))
    out = []
    for word in raw:
        out.extend(_stem(w) for w in ABBREVIATIONS.get(word, word).split())
    return _reorder(" ".join(out))


def asked(title: str) -> str:
    """A title someone typed, with the people function named as O*NET names it: "Head of
    People" is a human resources director (O*NET's own "People Officer" is left alone)."""
    title = re.sub(r"[A-Za-z]+", lambda m: SHORT_TITLES.get(m.group().lower(), m.group()), title)
    words = WORD.findall(title.lower())
    if "people" in words and all(w in ROLE_WORDS for w in words if w != "people"):
        return re.sub(r"(?i)\bpeople\b", "HR", title)
    return title


def _reorder(title_key: str) -> str:
    """'head of finance' -> 'finance head': a leader 'of' a function names the function first."""
    before, of, after = title_key.partition(" of ")
    if of and after and before in LEADERS | {"manager", "senior director", "associate director",
                                              "managing director"}:
        return f"{after} {before}"
    return title_key


def led(title_key: str) -> str:
    """The key with a leader's rank said as O*NET says it: 'engineering vice president' and
    'vice president engineering' -> 'engineering director' (for a second look only)."""
    chief = re.fullmatch(r"chief (.+) officer", title_key)
    if chief:
        return f"{chief[1]} director"
    for rank in sorted(LEADERS, key=len, reverse=True):
        if title_key.endswith(" " + rank) and rank != "director":
            return title_key[: -len(rank)] + "director"
        if title_key.startswith(rank + " ") and len(title_key) > len(rank) + 1:
            return title_key[len(rank) + 1:] + " director"  # "VP Engineering"
    return title_key


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
        self.pairs: list[set[str]] = []  # each name's neighbouring words: "marketing specialist"
        postings: dict[str, list[int]] = defaultdict(list)
        df: Counter = Counter()
        for occupation_id, occupation_title, whole, kind in rows:
            self.titles[occupation_id] = occupation_title
            for name in _spelt(whole):
                self._add(occupation_id, name, kind, postings, df)
        n = max(len(self.names), 1)
        self.idf = {w: math.log(1 + n / c) for w, c in df.items()}
        self.postings = postings

    def _add(self, occupation_id: str, name: str, kind: str, postings, df) -> None:
        k = key(name)
        if not k:
            return
        weight = KIND_WEIGHT.get(kind, 0.8)
        self.exact[k].append((weight, occupation_id, name))
        self.cores[core(k)].append((weight * 0.95, occupation_id, name))
        words = set(_words(k))
        for w in words:
            postings[w].append(len(self.names))
            df[w] += 1
        self.names.append((occupation_id, name, words))
        self.pairs.append(_pairs(k))

    def __len__(self) -> int:
        return len(self.titles)

    def match(self, title: str, limit: int = 5) -> list[Match]:
        """The occupations a job title most likely names, best first (empty when none fits)."""
        k = key(asked(title))
        if not k:
            return []
        for table, probe, score in ((self.exact, k, 1.0), (self.exact, led(k), 0.9),
                                    (self.cores, core(k), 0.95), (self.exact, core(k), 0.95),
                                    (self.cores, core(led(k)), 0.85)):
            found = table.get(probe)
            if found:
                return self._ranked(found, score, limit, k)
        return self._overlap(led(k), limit)

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
        # a word none of the names has is as telling as the rarest: "Head of People" asked of
        # ten engineering and finance roles shares only "director" with one of them, which
        # is not a match (with no weight, the unknown words left "director" all the title)
        unseen = max(self.idf.values(), default=0.0)
        query = sum(self.idf.get(w, unseen) for w in words)
        if not query or not any(w in self.idf for w in words):
            return []
        # A title's last two words say the job ("growth MARKETING SPECIALIST"): a name that
        # says them together counts more, and so does an occupation many names say them for.
        head = _pairs(core(title_key))
        last = max(head, key=lambda p: _position(core(title_key), p)) if head else None
        shared: Counter = Counter()
        for w in words:
            for i in self.postings.get(w, ()):
                shared[i] += self.idf[w]
        best: dict[str, tuple[float, str]] = {}
        support: Counter = Counter()
        for i, overlap in shared.items():
            occupation_id, name, name_words = self.names[i]
            size = sum(self.idf.get(w, 0.0) for w in name_words) or 1.0
            score = (overlap / query) * math.sqrt(overlap / size)  # cover the title and the name
            if last and last in self.pairs[i]:
                score += BIGRAM
                support[occupation_id] += 1
            if score > best.get(occupation_id, (0.0, ""))[0]:
                best[occupation_id] = (score, name)
        for occupation_id, (score, name) in best.items():
            bonus = 0.1 * min(1.0, math.log1p(support[occupation_id]) / math.log1p(30))
            best[occupation_id] = (score + bonus, name)
        ranked = sorted(best.items(), key=lambda x: (-x[1][0], x[0]))[:limit]
        return [Match(o, self.titles[o], name, round(min(score, 0.9), 3))
                for o, (score, name) in ranked if score >= MIN_OVERLAP]


# Where a name comes from decides between matches about as good: the organisation's own roles,
# then O*NET, then ESCO (shown beside O*NET's, never in place of a good O*NET match).
SOURCES = ("org", "onet", "esco")
ABOUT_AS_GOOD = 0.8  # a match within this share of the best one's score is about as good


class Matchers:
    """One TitleMatcher per source, so that one source's exact name never hides another's
    better occupation ("Engineering Manager" is an exact ESCO label and an O*NET near one)."""

    def __init__(self, rows):
        by_source: dict[str, list] = defaultdict(list)
        for row in rows:
            by_source[row[0].split(":", 1)[0]].append(row)
        self.sources = {name: TitleMatcher(part) for name, part in by_source.items()}

    def __len__(self) -> int:
        return sum(len(m) for m in self.sources.values())

    def match(self, title: str, limit: int = 5, near: frozenset[str] = frozenset()
              ) -> list[Match]:
        """near: occupations close to the person's own (their role and its related roles):
        among matches about as good, these come first ("Engineering Manager" for a software
        developer is the computer systems managers, not the civil engineering ones)."""
        found = [m for matcher in self.sources.values()
                 for m in matcher.match(title, max(limit, 10) if near else limit)]
        if not found:
            return []
        top = max(m.score for m in found)
        tier = {name: n for n, name in enumerate(SOURCES)}

        def source(m: Match) -> str:
            return m.occupation_id.split(":", 1)[0]

        def order(m: Match) -> tuple:
            return (m.score < ABOUT_AS_GOOD * top, m.occupation_id not in near,
                    tier.get(source(m), 9), -m.score)

        # among matches about as good, each source's best first (org, O*NET, ESCO), then the rest
        seen: set[str] = set()
        firsts = []
        for m in sorted(found, key=lambda m: (m.occupation_id not in near, -m.score)):
            if m.score >= ABOUT_AS_GOOD * top and source(m) not in seen:
                seen.add(source(m))
                firsts.append(m)
        found.sort(key=order)
        firsts.sort(key=order)
        return (firsts + [m for m in found if m not in firsts])[:limit]


def _spelt(name: str) -> list[str]:
    """'L and D Director (Learning and Development Director)' is two names, each whole; a
    name that adds its own short form ('Project Manager (PM)') stays as it is."""
    found = re.fullmatch(r"(.+?)\s*\((.+)\)\s*", name)
    return [found[1], found[2]] if found and len(found[2]) > len(found[1]) else [name]


def _pairs(title_key: str) -> set[str]:
    words = _words(title_key)
    return {f"{a} {b}" for a, b in zip(words, words[1:], strict=False)}


def _position(title_key: str, pair: str) -> int:
    return f" {title_key} ".rfind(f" {pair} ")


BIGRAM = 0.1  # a name that says the title's last two words together
MIN_OVERLAP = 0.35  # below this no occupation is named: better none than a wrong one
