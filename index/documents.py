"""The document model, and reading one file (any supported format) into Documents."""

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime

# Files that travel with content but are not content themselves.
NOT_CONTENT = re.compile(r"^(licen[cs]e|copying|provenance|notice|codeowners)(\.|$)", re.I)
TYPES = ("policy", "course", "guide", "video", "expert", "opportunity", "procedure", "template",
         "event", "reference")


class UnreadableFile(ValueError):
    """The file cannot be read as a document; the message says why."""


@dataclass
class Document:
    """One piece of content, ready for the index. body is searched but never stored."""

    id: str
    source: str
    title: str
    body: str = ""
    summary: str = ""
    headings: list[str] = field(default_factory=list)
    url: str = ""
    type: str = ""  # one of TYPES; guessed from the title and path when the source says nothing
    tags: list[str] = field(default_factory=list)
    skills: list[str] = field(default_factory=list)
    audience: list[str] = field(default_factory=list)
    mandatory: bool = False
    language: str = "en"
    level: str = ""
    duration: int = 0  # minutes, 0 when unknown
    provider: str = ""
    owner: str = ""  # who keeps it current (front matter owner)
    review_by: datetime | None = None  # after this date the owner must review it
    updated: datetime | None = None
    topics: dict[str, float] = field(default_factory=dict)  # taxonomy id -> 0..1, set at ingest
    hash: str = ""
    profile: str = ""  # term frequencies for ranking (profiles.py), set at ingest
    links: list[str] = field(default_factory=list)  # path keys of the pages it links to
    original: dict | None = None  # editable fields before L&D's overrides (index/tags.py)
    indexed: datetime | None = None  # when this version entered the index; set on write


def content_hash(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()[:32]


def safe_url(url: str) -> str:
    """url if it is an http(s) address, else "": a card's link must never run script
    (javascript:), open local files (file:) or carry a page inline (data:)."""
    url = (url or "").strip()
    return url if re.match(r"https?://[^\s/?#]+", url, re.I) and len(url) <= 2048 else ""
