"""The document model, and reading one file (any supported format) into Documents."""

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import PurePosixPath

from .links import link_keys

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


def supported(path: str) -> bool:
    from .formats import SUPPORTED

    name = PurePosixPath(path).name
    return name.lower().endswith(SUPPORTED) and not NOT_CONTENT.match(name) \
        and not name.startswith(".")


def content_hash(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()[:32]


def read_documents(raw: bytes, source: str, rel_path: str) -> list[Document]:
    """Every document in one file; raises UnreadableFile with a reason a person can act on.

    A Markdown, HTML, PDF or Word file is one document, id SOURCE:<path>; a catalog or feed is
    one per row or entry, id SOURCE:<path>#<key>.
    """
    from .formats import decode, parse

    docs = parse(raw, rel_path)
    digest = content_hash(raw)
    links = link_keys(decode(raw)) if rel_path.lower().endswith(LINKED) else []
    for doc in docs:
        finish(doc, source, f"{rel_path}{doc.id}", digest, links)
    return docs


def finish(doc: Document, source: str, key: str, digest: str, links: list[str] = ()) -> None:
    """Give a parsed document its id SOURCE:<key>, hash and links, and fill what it lacks."""
    from .formats.meta import first_paragraph

    doc.id = f"{source}:{key}"
    doc.source = source
    doc.url = safe_url(doc.url)
    doc.hash = digest
    doc.links = list(links)
    path = key.split("#", 1)[0]
    if not doc.title:
        doc.title = _title_from_path(path)
    if not doc.summary:
        doc.summary = first_paragraph(doc.body)
    if doc.type not in TYPES:
        doc.type = guess_type(doc.title, path)


def safe_url(url: str) -> str:
    """url if it is an http(s) address, else "": a card's link must never run script
    (javascript:), open local files (file:) or carry a page inline (data:)."""
    url = (url or "").strip()
    return url if re.match(r"https?://[^\s/?#]+", url, re.I) and len(url) <= 2048 else ""


def read_document(raw: bytes, source: str, rel_path: str) -> Document:
    """The one document of a single-document file."""
    docs = read_documents(raw, source, rel_path)
    if not docs:
        raise UnreadableFile("no document in this file")
    return docs[0]


LINKED = (".md", ".markdown", ".md.tmpl", ".md.erb", ".mdx", ".html", ".htm", ".txt")


def _title_from_path(rel_path: str) -> str:
    stem = PurePosixPath(rel_path).name.split(".")[0]
    if stem.lower() in ("index", "_index", "readme") and "/" in rel_path:
        stem = PurePosixPath(rel_path).parent.name
    return re.sub(r"[-_]+", " ", stem).strip().capitalize() or rel_path


def guess_type(title: str, rel_path: str) -> str:
    where = f"{title} {rel_path}".lower()
    if re.search(r"\bpolic(y|ies)\b|\bstandard\b|code of conduct|terms of", where):
        return "policy"
    if re.search(r"\bprocedures?\b|\bprocess\b|\bworkflows?\b|runbook", where):
        return "procedure"
    if re.search(r"\bcourses?\b|\btraining\b|\bworkshop|\bwebinar|\blfd\d", where):
        return "course"
    if re.search(r"template", where):
        return "template"
    return "guide"
