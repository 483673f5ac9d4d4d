"""What a search asks and finds: SearchRequest, SearchHit, and who may see a hit."""

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime

SUBJECT_WEIGHT = 0.5  # from this weight a page or document is about a topic (defined here only)
OPEN = frozenset({"everyone", "all", "*"})  # audience values that restrict nothing


@dataclass
class SearchHit:
    id: str
    title: str
    url: str
    type: str
    summary: str
    score: float
    topics: dict[str, float] = field(default_factory=dict)
    mandatory: bool = False
    audience: list[str] = field(default_factory=list)
    source: str = ""
    matched: list[str] = field(default_factory=list)  # query words the document matched
    level: str = ""
    duration: int = 0
    hash: str = ""  # content hash of the indexed version (acknowledgments refer to it)
    lexical: float = 0.0  # 0..1, word match against the best match
    topical: float = 0.0  # 0..1, how much the document is about the request's topics
    skills: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    language: str = ""
    provider: str = ""
    owner: str = ""
    review_by: datetime | None = None
    proposed: dict[str, float] = field(default_factory=dict)  # the auto-tagger's topics
    changed: datetime | None = None  # its own last-updated date, else when it was indexed


@dataclass
class SearchRequest:
    """What to look for: weighted words (for the text fields) and weighted taxonomy topics."""

    words: list[tuple[str, float]] = field(default_factory=list)
    topics: list[tuple[str, float]] = field(default_factory=list)  # matched on subjects
    fields: dict[str, float] = field(default_factory=lambda: {"title": 1.0, "headings": 1.0,
                                                              "summary": 1.0})
    limit: int = 20
    exclude: set[str] = field(default_factory=set)
    groups: set[str] | None = None  # the asker's audience groups; None: no restriction applies
    # the words of each part of the page (profiles.PARTS), for the ranking model's features
    parts: dict[str, list[tuple[str, float]]] = field(default_factory=dict)


def visible(audience, groups: set[str] | None) -> bool:
    """May someone in these groups see content with this audience? (None: no restriction)."""
    allowed = restriction(audience)
    return groups is None or not allowed or bool(allowed & groups)


def to_hit(fields: dict, score: float, matched: list[str]) -> SearchHit:
    return SearchHit(
        id=fields["id"], title=fields.get("title", ""), url=fields.get("url", ""),
        type=fields.get("type", ""), summary=fields.get("summary", ""), score=score,
        topics=dict(fields["_topics"]) if "_topics" in fields
        else json.loads(fields.get("topic_weights") or "{}"),
        mandatory=bool(fields.get("mandatory")),
        audience=split_list(fields.get("audience")),
        source=fields.get("source", ""), matched=matched, level=fields.get("level", ""),
        duration=int(fields.get("duration") or 0), hash=fields.get("hash", ""),
        skills=split_list(fields.get("skills")), tags=split_list(fields.get("tags")),
        language=fields.get("language", ""), provider=fields.get("provider", ""),
        owner=fields.get("owner", ""), review_by=fields.get("review_by"),
        proposed=json.loads(fields.get("proposed") or "{}"),
        changed=fields.get("updated") or fields.get("indexed"),
    )


def split_list(value: str | None) -> list[str]:
    return [v for v in (value or "").split(",") if v]


def stale_item(meta: dict) -> dict:
    """A stale document as the review lists show it: id, title, owner and why it is stale."""
    review_by, indexed = meta.get("review_by"), meta.get("indexed")
    reason = (f"review was due {review_by:%Y-%m-%d}" if review_by and
              review_by < datetime.now(UTC).replace(tzinfo=None)
              else f"unchanged since {indexed:%Y-%m-%d}")
    return {"id": meta["id"], "title": meta.get("title", ""), "owner": meta.get("owner", ""),
            "reason": reason}


def restriction(audience) -> frozenset[str]:
    """The groups a document is restricted to; empty when it is for everyone."""
    if isinstance(audience, str):
        audience = audience.split(",")
    groups = frozenset(a.strip().lower() for a in audience or [] if a and a.strip())
    return frozenset() if groups & OPEN else groups
