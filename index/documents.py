"""Read one file (Markdown with front matter, HTML, plain text) into a Document for the index."""

import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from pathlib import PurePosixPath

import yaml

from .links import link_keys

MARKDOWN = (".md", ".markdown", ".md.tmpl", ".md.erb", ".mdx")
HTML = (".html", ".htm")
TEXT = (".txt",)
SUPPORTED = MARKDOWN + HTML + TEXT
# Files that travel with content but are not content themselves.
NOT_CONTENT = re.compile(r"^(licen[cs]e|copying|provenance|notice|codeowners)(\.|$)", re.I)

SUMMARY_CHARS = 300
TYPES = ("policy", "course", "guide", "procedure", "template", "event", "reference")


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
    type: str = "guide"
    tags: list[str] = field(default_factory=list)
    skills: list[str] = field(default_factory=list)
    audience: list[str] = field(default_factory=list)
    mandatory: bool = False
    language: str = "en"
    level: str = ""
    duration: int = 0  # minutes, 0 when unknown
    updated: datetime | None = None
    topics: dict[str, float] = field(default_factory=dict)  # taxonomy id -> 0..1, set at ingest
    hash: str = ""
    profile: str = ""  # term frequencies for ranking (profiles.py), set at ingest
    links: list[str] = field(default_factory=list)  # path keys of the pages it links to


def supported(path: str) -> bool:
    name = PurePosixPath(path).name
    return name.lower().endswith(SUPPORTED) and not NOT_CONTENT.match(name) \
        and not name.startswith(".")


def content_hash(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()[:32]


def read_document(raw: bytes, source: str, rel_path: str) -> Document:
    """Parse raw file bytes; raises UnreadableFile with a reason a person can act on."""
    if b"\x00" in raw[:4096]:
        raise UnreadableFile("binary file, not text")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")  # old Windows exports; every byte decodes
    name = rel_path.lower()
    if name.endswith(HTML):
        doc = _from_html(text)
    elif name.endswith(MARKDOWN):
        doc = _from_markdown(text)
    elif name.endswith(TEXT):
        doc = _from_text(text)
    else:
        raise UnreadableFile(f"unsupported file type (supported: {', '.join(SUPPORTED)})")
    doc.id = f"{source}:{rel_path}"
    doc.source = source
    doc.links = link_keys(text)
    doc.hash = content_hash(raw)
    if not doc.title:
        doc.title = _title_from_path(rel_path)
    if not doc.summary:
        doc.summary = _first_paragraph(doc.body)
    if doc.type not in TYPES:
        doc.type = _guess_type(doc.title, rel_path)
    return doc


# --- Markdown ------------------------------------------------------------------------------
FRONT_MATTER = re.compile(
    r"\A(?:\ufeff)?(---|\+\+\+)[ \t]*\r?\n(.*?)\r?\n\1[ \t]*(?:\r?\n|\Z)", re.S)
HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t#]*$", re.M)
TEMPLATE = re.compile(r"<%.*?%>|\{\{.*?\}\}|\{%.*?%\}", re.S)
LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
HTML_TAG = re.compile(r"<[^>]+>")
FENCE = re.compile(r"^```.*?^```", re.S | re.M)


def _from_markdown(text: str) -> Document:
    meta: dict = {}
    m = FRONT_MATTER.match(text)
    if m:
        meta = _front_matter(m.group(2), toml=m.group(1) == "+++")
        text = text[m.end():]
    headings = [_clean_inline(h) for _, h in HEADING.findall(text)]
    headings = [h for h in headings if h]
    text = FENCE.sub(" ", text)
    body = _clean_inline(text, keep_lines=True)
    title = _meta_str(meta, "title", "name") or (headings[0] if headings else "")
    doc = Document(id="", source="", title=title[:300], body=body, headings=headings[:50])
    _apply_meta(doc, meta)
    if not doc.summary:
        paragraphs = (_clean_inline(p) for p in re.split(r"\n\s*\n", HEADING.sub("", text)))
        doc.summary = _first_paragraph("\n".join(p for p in paragraphs if p))
    return doc


def _front_matter(block: str, toml: bool) -> dict:
    if toml:  # only simple key = "value" lines; full TOML is not worth a dependency here
        return {k: v.strip("\"'") for k, v in re.findall(r"^(\w+)\s*=\s*(.+?)\s*$", block, re.M)}
    try:
        data = yaml.safe_load(TEMPLATE.sub("", block))
    except yaml.YAMLError:
        data = {k: v.strip("\"'") for k, v in re.findall(r"^(\w+):\s*(.+?)\s*$", block, re.M)}
    return data if isinstance(data, dict) else {}


def _apply_meta(doc: Document, meta: dict) -> None:
    doc.summary = (_meta_str(meta, "description", "summary", "deck", "excerpt") or "")[:1000]
    doc.url = _meta_str(meta, "url", "permalink", "canonical_url") or ""
    doc.type = (_meta_str(meta, "type", "content_type") or "").lower()
    doc.tags = _meta_list(meta, "tags", "keywords", "categories", "topics")
    doc.skills = _meta_list(meta, "skills")
    doc.audience = _meta_list(meta, "audience", "roles", "departments")
    doc.mandatory = str(meta.get("mandatory", "")).lower() in ("true", "yes", "1")
    doc.language = (_meta_str(meta, "language", "lang") or "en")[:8].lower()
    doc.level = (_meta_str(meta, "level") or "").lower()[:20]
    doc.duration = _minutes(meta.get("duration"))
    doc.updated = _when(meta.get("updated") or meta.get("last_reviewed_on") or meta.get("date"))


def _meta_str(meta: dict, *keys: str) -> str:
    for key in keys:
        value = meta.get(key)
        if isinstance(value, (str, int, float)) and str(value).strip():
            return _clean_inline(str(value))
    return ""


def _meta_list(meta: dict, *keys: str) -> list[str]:
    out: list[str] = []
    for key in keys:
        value = meta.get(key)
        if isinstance(value, str):
            value = value.split(",")
        if isinstance(value, list):
            out += [str(v).strip().lower() for v in value if isinstance(v, (str, int))]
    return [v for v in dict.fromkeys(out) if v][:30]


def _minutes(value) -> int:
    """"90", 90, "1h 30m", "45 minutes", "2 hours" -> minutes."""
    if isinstance(value, (int, float)) and value >= 0:
        return int(value)
    if not isinstance(value, str):
        return 0
    hours = re.search(r"(\d+(?:\.\d+)?)\s*h", value)
    mins = re.search(r"(\d+)\s*m", value)
    if hours or mins:
        return int(float(hours.group(1)) * 60 if hours else 0) + int(mins.group(1) if mins else 0)
    return int(value) if value.strip().isdigit() else 0


def _when(value) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    if isinstance(value, str):
        try:
            return _when(datetime.fromisoformat(value.strip()[:10]))
        except ValueError:
            return None
    return None


def _clean_inline(text: str, keep_lines: bool = False) -> str:
    text = TEMPLATE.sub(" ", text)
    text = LINK.sub(r"\1", text)
    text = HTML_TAG.sub(" ", text)
    text = re.sub(r"[*_`>|]+", " ", text)
    if keep_lines:
        return "\n".join(" ".join(line.split()) for line in text.splitlines() if line.strip())
    return " ".join(text.split())


# --- HTML and text -------------------------------------------------------------------------
class _HTMLText(HTMLParser):
    SKIP = {"script", "style", "noscript", "template", "nav", "footer", "svg"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.title, self.description, self.headings, self.parts = "", "", [], []
        self._stack: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "meta":
            a = dict(attrs)
            if (a.get("name") or "").lower() == "description":
                self.description = a.get("content") or ""
        elif tag not in ("br", "img", "hr", "input", "link"):
            self._stack.append(tag)

    def handle_endtag(self, tag):
        if tag in self._stack:
            while self._stack and self._stack.pop() != tag:
                pass

    def handle_data(self, data):
        if any(t in self.SKIP for t in self._stack):
            return
        current = self._stack[-1] if self._stack else ""
        if current == "title":
            self.title += data
        elif re.fullmatch(r"h[1-6]", current) and data.strip():
            self.headings.append(" ".join(data.split()))
        if current != "title":
            self.parts.append(data)


def _from_html(text: str) -> Document:
    parser = _HTMLText()
    parser.feed(text)
    parser.close()
    title = " ".join(parser.title.split()) or (parser.headings[0] if parser.headings else "")
    body = "\n".join(" ".join(p.split()) for p in parser.parts if p.strip())
    return Document(id="", source="", title=title[:300], body=body,
                    summary=" ".join(parser.description.split())[:1000],
                    headings=parser.headings[:50])


def _from_text(text: str) -> Document:
    lines = [line.strip() for line in text.splitlines()]
    first = next((line for line in lines if line), "")
    return Document(id="", source="", title=first[:200] if len(first) <= 120 else "",
                    body="\n".join(line for line in lines if line))


def _title_from_path(rel_path: str) -> str:
    stem = PurePosixPath(rel_path).name.split(".")[0]
    if stem.lower() in ("index", "_index", "readme") and "/" in rel_path:
        stem = PurePosixPath(rel_path).parent.name
    return re.sub(r"[-_]+", " ", stem).strip().capitalize() or rel_path


def _first_paragraph(body: str) -> str:
    for line in body.splitlines():
        line = line.strip(" -#")
        if len(line) > 40:
            if len(line) <= SUMMARY_CHARS:
                return line
            return line[:SUMMARY_CHARS].rsplit(" ", 1)[0] + "…"
    return body[:SUMMARY_CHARS]


def _guess_type(title: str, rel_path: str) -> str:
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
