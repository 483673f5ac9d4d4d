"""RSS and Atom feeds (one document per entry) and XML sitemaps (URLs with their lastmod)."""

import re
from datetime import UTC, datetime

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from ..documents import Document, UnreadableFile
from .meta import HTML_TAG, clean_inline, first_paragraph

SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def feed(raw: bytes) -> list[Document]:
    import feedparser

    parsed = feedparser.parse(raw)
    if parsed.bozo and not parsed.entries:
        raise UnreadableFile(f"not a readable feed ({parsed.bozo_exception.__class__.__name__})")
    docs = []
    for n, entry in enumerate(parsed.entries, 1):
        title = clean_inline(entry.get("title", ""))
        if not title:
            continue
        content = " ".join(c.get("value", "") for c in entry.get("content", []))
        body = clean_inline(HTML_TAG.sub(" ", content or entry.get("summary", "")))
        key = re.sub(r"[^\w.\-/:]+", "-", entry.get("id") or entry.get("link") or str(n))[:200]
        stamp = entry.get("updated_parsed") or entry.get("published_parsed")
        docs.append(Document(
            id=f"#{key}", source="", title=title[:300], body=body,
            summary=first_paragraph(body), url=entry.get("link", ""), type="guide",
            tags=[t.get("term", "").lower() for t in entry.get("tags", []) if t.get("term")][:30],
            updated=datetime(*stamp[:6], tzinfo=UTC) if stamp else None))
    return docs


def sitemap(raw: bytes) -> list[tuple[str, str]]:
    """(url, lastmod) pairs of a sitemap; a sitemap index lists further sitemaps the same way."""
    try:
        root = ElementTree.fromstring(raw)
    except (ElementTree.ParseError, DefusedXmlException) as exc:
        raise UnreadableFile(f"not a readable sitemap ({exc.__class__.__name__})") from exc
    return [((node.findtext(f"{SITEMAP_NS}loc") or "").strip(),
             (node.findtext(f"{SITEMAP_NS}lastmod") or "").strip())
            for node in root if node.findtext(f"{SITEMAP_NS}loc")]
