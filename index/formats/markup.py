"""Markdown (YAML or TOML front matter), HTML (main content and schema.org JSON-LD), plain text."""

import json
import re
from html import unescape

import trafilatura
import yaml

from ..documents import Document, UnreadableFile
from .meta import (
    HTML_TAG,
    TEMPLATE,
    apply_meta,
    clean_inline,
    first_paragraph,
    meta_list,
    meta_str,
    minutes,
)

FRONT_MATTER = re.compile(
    r"\A(?:\ufeff)?(---|\+\+\+)[ \t]*\r?\n(.*?)\r?\n\1[ \t]*(?:\r?\n|\Z)", re.S)
HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t#]*$", re.M)
FENCE = re.compile(r"^```.*?^```", re.S | re.M)
HTML_HEADING = re.compile(r"<h[1-3][^>]*>(.*?)</h[1-3]>", re.S | re.I)
HTML_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.S | re.I)
META_DESCRIPTION = re.compile(r"<meta\s+[^>]*name=[\"']description[\"'][^>]*>", re.I)
CONTENT_ATTR = re.compile(r"content=[\"']([^\"']*)[\"']", re.I)
JSON_LD = re.compile(r"<script[^>]*type=[\"']application/ld\+json[\"'][^>]*>(.*?)</script>",
                     re.S | re.I)
LEARNING_TYPES = {"course", "learningresource", "courseinstance", "educationalresource"}
MAX_HTML_BYTES = 10 * 2**20  # a 50 MB "page" is an export, not something a person reads


def markdown(text: str) -> list[Document]:
    meta: dict = {}
    m = FRONT_MATTER.match(text)
    if m:
        meta = front_matter(m.group(2), toml=m.group(1) == "+++")
        text = text[m.end():]
    headings = [h for h in (clean_inline(h) for _, h in HEADING.findall(text)) if h]
    text = FENCE.sub(" ", text)
    title = meta_str(meta, "title", "name") or (headings[0] if headings else "")
    doc = Document(id="", source="", title=title[:300], body=clean_inline(text, keep_lines=True),
                   headings=headings[:50])
    apply_meta(doc, meta)
    if not doc.summary:
        paragraphs = (clean_inline(p) for p in re.split(r"\n\s*\n", HEADING.sub("", text)))
        doc.summary = first_paragraph("\n".join(p for p in paragraphs if p))
    return [doc]


def front_matter(block: str, toml: bool) -> dict:
    if toml:  # only simple key = "value" lines; full TOML is not worth a dependency here
        return {k: v.strip("\"'") for k, v in re.findall(r"^(\w+)\s*=\s*(.+?)\s*$", block, re.M)}
    try:
        data = yaml.safe_load(TEMPLATE.sub("", block))
    except yaml.YAMLError:
        data = {k: v.strip("\"'") for k, v in re.findall(r"^(\w+):\s*(.+?)\s*$", block, re.M)}
    return data if isinstance(data, dict) else {}


def html(text: str) -> list[Document]:
    """The page's main content (trafilatura drops navigation, footers and ads)."""
    if len(text) > MAX_HTML_BYTES:
        raise UnreadableFile(f"HTML larger than {MAX_HTML_BYTES // 2**20} MB")
    body = trafilatura.extract(text, include_comments=False, include_tables=True) or ""
    found = HTML_TITLE.search(text)
    title = " ".join(unescape(found.group(1)).split()) if found else ""
    if not title:  # a second parse, only for pages without a <title>
        meta = trafilatura.extract_metadata(text)
        title = meta.title if meta is not None and meta.title else ""
    headings = [h for h in (" ".join(unescape(HTML_TAG.sub(" ", x)).split())
                            for x in HTML_HEADING.findall(text)) if h]
    description = ""
    tag = META_DESCRIPTION.search(text)
    if tag and CONTENT_ATTR.search(tag.group(0)):
        description = unescape(CONTENT_ATTR.search(tag.group(0)).group(1))
    doc = Document(id="", source="", title=(title or (headings[0] if headings else ""))[:300],
                   body=body, summary=" ".join(description.split())[:1000],
                   headings=headings[:50])
    _apply_json_ld(doc, text)
    return [doc]


def _apply_json_ld(doc: Document, text: str) -> None:
    """schema.org Course / LearningResource metadata embedded in the page."""
    for block in JSON_LD.findall(text):
        try:
            data = json.loads(block)
        except json.JSONDecodeError:
            continue
        items = data if isinstance(data, list) else data.get("@graph", [data]) \
            if isinstance(data, dict) else []
        for item in items:
            if not isinstance(item, dict):
                continue
            kinds = item.get("@type")
            kinds = {str(k).lower() for k in (kinds if isinstance(kinds, list) else [kinds])}
            if not kinds & LEARNING_TYPES:
                continue
            doc.type = "course"
            doc.title = meta_str(item, "name") or doc.title
            doc.summary = meta_str(item, "description") or doc.summary
            doc.url = meta_str(item, "url") or doc.url
            doc.tags = meta_list(item, "keywords", "about", "teaches") or doc.tags
            doc.level = (meta_str(item, "educationalLevel") or doc.level).lower()[:20]
            doc.language = (meta_str(item, "inLanguage") or doc.language)[:8].lower()
            doc.duration = minutes(_iso_duration(meta_str(item, "timeRequired"))) or doc.duration
            provider = item.get("provider")
            if isinstance(provider, dict) and provider.get("name"):
                doc.provider = str(provider["name"])[:200]
            return


def _iso_duration(value: str) -> str:
    """'PT1H30M' -> '1h 30m' (what minutes() reads)."""
    m = re.fullmatch(r"P(?:\d+D)?T?(?:(\d+)H)?(?:(\d+)M)?", value or "")
    return f"{m.group(1) or 0}h {m.group(2) or 0}m" if m and (m.group(1) or m.group(2)) else ""


def text(text: str) -> list[Document]:
    lines = [line.strip() for line in text.splitlines()]
    first = next((line for line in lines if line), "")
    return [Document(id="", source="", title=first[:200] if len(first) <= 120 else "",
                     body="\n".join(line for line in lines if line))]
