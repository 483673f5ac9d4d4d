"""Why a card is shown, in words a person checks against the page: what it shares with the page."""

from collections import Counter
from pathlib import PurePosixPath

from index import SUBJECT_WEIGHT, SearchHit
from nlp import Context, Topic
from nlp.redact import MARK
from server.suggest.results import Suggestion

REASON_WEIGHT = 0.2  # a document this much about a topic may be explained by it


def sections(context: Context) -> list[tuple[str, str]]:
    """The context's (field, text) parts, without the marks left where personal data was."""
    return [(name, text.replace(MARK, " ")) for name, text in context.sections()]


def same_word(a: str, b: str) -> bool:
    """The same word up to case and a regular inflection ("Policy", "policies"; "Reporting",
    "report"; "Using", "used"): what a reason may call the page's word. The index's stems join
    more ("Acceptable", "Acceptance"), which is right for finding and wrong for quoting."""
    return bool(_bases(a.lower()) & _bases(b.lower()))


def _bases(word: str) -> set[str]:
    """What a word may be an inflection of: itself, without a plural, -ing or -ed (the silent
    e it dropped put back, a doubled consonant undone, "ies"/"ied" back to "y")."""
    out = {word}
    for ending in ("s", "es", "ing", "ed", "d"):
        stem = word[:-len(ending)] if word.endswith(ending) else ""
        if len(stem) < 2:
            continue
        out.add(stem)
        if ending in ("ing", "ed"):
            out.add(stem + "e")
            if len(stem) > 3 and stem[-1] == stem[-2]:
                out.add(stem[:-1])
    if word.endswith(("ies", "ied")) and len(word) > 4:
        out.add(word[:-3] + "y")
    return out


def on_subject(hit: SearchHit, subject: str | None) -> bool:
    """Is this mandatory content about the page's subject (its strongest topic)?"""
    return hit.mandatory and subject is not None \
        and hit.topics.get(subject, 0.0) >= SUBJECT_WEIGHT


def topic_reasons(hit: SearchHit, concepts: list[Topic], site: str) -> list[str]:
    """"About Expenses: your page mentions “expense report”", for each of the page's topics
    (strongest first) this item is about; evidence once each, no host or site names."""
    reasons = []
    hosts = {w.lower() for w in site.split()}
    for topic in concepts:
        if hit.topics.get(topic.id, 0) < REASON_WEIGHT:
            continue
        said, seen = [], set()
        for e in topic.evidence:
            if not e.startswith("via ") and "." not in e and e.lower() not in seen \
                    and e.lower() not in hosts:
                said.append(e)
                seen.add(e.lower())
        reasons.append(f"About {topic.label}: your page mentions "
                       f"{', '.join(f'“{e}”' for e in said[:2])}" if said
                       else f"About {topic.label}, the wider subject of your page")
    return reasons


def suggestion(hit: SearchHit, score: float, concepts: list[Topic],
               personal: str = "", shared: tuple[list[str], list[str]] = ([], []),
               site: str = "", shown: str = "") -> Suggestion:
    """A hit as the panel shows it, with reasons a person can check against their page: what
    this item has in common with it (Engine._shared), else the page's topic it is about; never
    the site's name ("Navan" of "Expense report - Navan") as evidence."""
    reasons = [personal] if personal else []
    if hit.mandatory:
        reasons.append(f"Mandatory {hit.type}" if hit.type in ("policy", "procedure")
                       else "Required for your role")
    title, text = shared
    quote = lambda words: ", ".join(f"“{w}”" for w in words[:3])  # noqa: E731
    if title:
        reasons.append(f"Its title names {quote(title)}, as your page does")
    if text:
        reasons.append(f"It {'also ' if title else ''}covers {quote(text)} from your page")
    if not title and not text:  # found by its topics or meaning: which topic, in the page's words
        reasons += topic_reasons(hit, concepts, site)[:1]
    if hit.type == "course" and hit.duration:
        length = f"{hit.duration}-minute" if hit.duration < 90 else \
            f"{hit.duration / 60:g}-hour".replace(".5-", "½-")
        reasons.append(f"A {length} {hit.level + ' ' if hit.level else ''}course")
    return Suggestion(id=hit.id, title=shown or hit.title, url=hit.url, type=hit.type,
                      summary=hit.summary, score=max(round(score, 3), 0.001),
                      reasons=reasons, mandatory=hit.mandatory, source=hit.source,
                      owner=hit.owner, duration=hit.duration,
                      changed=hit.changed.strftime("%Y-%m-%d") if hit.changed else None)


GENERIC_FROM = 3  # a title this many documents share says little alone: "Purpose", "FAQ"
INDEX_PAGES = ("_index", "index", "readme")  # a folder's own page, whose title names the folder


def shown_title(hit: SearchHit, profiles) -> str:
    """The title a card shows: a title the library uses for many documents gets the section
    it belongs to ("Security Policy › Purpose"), named by its folder's own page, else by the
    folder. The library says which titles are generic; no list of them is kept here."""
    counts, folders = _library_titles(profiles)
    if counts[hit.title.strip().lower()] < GENERIC_FROM:
        return hit.title
    source, _, path = hit.id.partition(":")
    where = PurePosixPath(path.split("#", 1)[0])
    folder = where.parent.parent if where.name.split(".")[0].lower() in INDEX_PAGES \
        else where.parent
    name = folders.get(f"{source}:{folder}") or (
        " ".join(folder.name.replace("_", " ").replace("-", " ").split()).capitalize()
        if folder.name else "")
    return f"{name} › {hit.title}" if name and name.lower() != hit.title.lower() else hit.title


def _library_titles(profiles) -> tuple[Counter, dict[str, str]]:
    """(how many documents have each title, the title of each folder's own page), once per
    generation of the library."""
    memo = profiles.memo.get("titles")
    if memo is None:
        counts = Counter((m.get("title") or "").strip().lower() for m in profiles.meta)
        folders = {}
        for m in profiles.meta:
            source, _, path = m["id"].partition(":")
            where = PurePosixPath(path.split("#", 1)[0])
            if where.name.split(".")[0].lower() in INDEX_PAGES and m.get("title"):
                folders[f"{source}:{where.parent}"] = m["title"]
        memo = profiles.memo["titles"] = (counts, folders)
    return memo
