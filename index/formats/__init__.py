"""Readers for every format jitlearn ingests; each returns Documents with id "" or "#<key>"."""

import re
import string
from pathlib import PurePosixPath
from urllib.parse import quote

from ..documents import NOT_CONTENT, TYPES, Document, UnreadableFile, content_hash, safe_url
from ..links import link_keys
from . import catalog, feeds, markup, office, packages
from .meta import first_paragraph

MARKDOWN = (".md", ".markdown", ".md.tmpl", ".md.erb", ".mdx")
HTML = (".html", ".htm")
TEXT = (".txt",)
CATALOGS = (".csv", ".tsv", ".jsonl", ".json")
FEEDS = (".rss", ".atom", ".xml")
SUPPORTED = MARKDOWN + HTML + TEXT + (".pdf", ".docx") + CATALOGS + FEEDS


def decode(raw: bytes) -> str:
    if b"\x00" in raw[:4096]:
        raise UnreadableFile("binary file, not text")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")  # old Windows exports


def parse(raw: bytes, name: str) -> list[Document]:
    """Documents in one file; name decides the reader (and, for XML, its root element)."""
    name = name.lower()
    if name.endswith(".pdf"):
        return office.pdf(raw)
    if name.endswith(".docx"):
        return office.docx(raw)
    if name.endswith(MARKDOWN):
        return markup.markdown(decode(raw))
    if name.endswith(HTML):
        return markup.html(decode(raw))
    if name.endswith(TEXT):
        return markup.text(decode(raw))
    if name.endswith((".csv", ".tsv")):
        return catalog.rows_to_documents(catalog.csv_rows(decode(raw)))
    if name.endswith((".jsonl", ".json")):
        return catalog.rows_to_documents(catalog.json_rows(decode(raw), name.endswith(".jsonl")))
    if name.endswith(FEEDS):
        head = decode(raw[:2000]).lower() if b"\x00" not in raw[:2000] else ""
        if name.endswith("imsmanifest.xml") or "<manifest" in head:
            return packages.scorm(raw)
        if name.endswith("cmi5.xml") or "<coursestructure" in head:
            return packages.cmi5(raw)
        if "<urlset" in head or "<sitemapindex" in head:
            raise UnreadableFile("a sitemap lists pages to fetch; add it as a sitemap source")
        return feeds.feed(raw)
    raise UnreadableFile(f"unsupported file type (supported: {', '.join(SUPPORTED)})")


def supported(path: str) -> bool:
    name = PurePosixPath(path).name
    return name.lower().endswith(SUPPORTED) and not NOT_CONTENT.match(name) \
        and not name.startswith(".")


def read_documents(raw: bytes, source: str, rel_path: str) -> list[Document]:
    """Every document in one file; raises UnreadableFile with a reason a person can act on.

    A Markdown, HTML, PDF or Word file is one document, id SOURCE:<path>; a catalog or feed is
    one per row or entry, id SOURCE:<path>#<key>.
    """
    docs = parse(raw, rel_path)
    digest = content_hash(raw)
    links = link_keys(decode(raw)) if rel_path.lower().endswith(LINKED) else []
    for doc in docs:
        finish(doc, source, f"{rel_path}{doc.id}", digest, links)
    return docs


def finish(doc: Document, source: str, key: str, digest: str, links: list[str] = ()) -> None:
    """Give a parsed document its id SOURCE:<key>, hash and links, and fill what it lacks."""
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


ADDRESS_FIELDS = ("path", "stem", "file", "id")  # what a source's address template may use


def check_template(template: str) -> str:
    """template, if it is an http(s) address whose only fields are ADDRESS_FIELDS; else
    ValueError with what is wrong."""
    if not re.match(r"https?://[^\s/?#{}]+", template or "", re.I) or len(template) > 500:
        raise ValueError("an address template is an http(s) address of at most 500 characters, "
                         "e.g. https://handbook.example.com/{path}")
    try:
        fields = [f + (f"!{conv}" if conv else "") + (f":{spec}" if spec else "")
                  for _, f, spec, conv in string.Formatter().parse(template)
                  if f is not None and (f not in ADDRESS_FIELDS or spec or conv)]
    except ValueError as exc:
        raise ValueError(f"the address template cannot be read: {exc}") from None
    if fields:
        raise ValueError(f"an address template may use {{path}}, {{stem}}, {{file}} and {{id}} "
                         f"only, not {{{fields[0]}}}")
    return template


def address(template: str, doc_id: str) -> str:
    """The address of a document without one of its own, from its source's template.

    {path}: the file's path without its extension, a folder's index page standing for the
    folder ("finance/expenses.md" -> "finance/expenses", "finance/_index.md" -> "finance");
    {stem}: the file's name without its extension; {file}: the file's path as it is
    ("finance/expenses.md", for a repository's file view); {id}: the document's id.
    """
    key = doc_id.split(":", 1)[-1].split("#", 1)[0]
    path = PurePosixPath(key)
    stem = path.name.split(".")[0]
    page = path.parent if stem.lower() in ("index", "_index", "readme") else path.with_name(stem)
    values = {"path": quote("" if str(page) == "." else str(page)), "stem": quote(stem),
              "file": quote(key), "id": quote(doc_id, safe=":/")}
    return safe_url(template.format_map(values))

