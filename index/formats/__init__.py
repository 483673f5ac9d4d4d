"""Readers for every format jitlearn ingests; each returns Documents with id "" or "#<key>"."""

from ..documents import Document, UnreadableFile
from . import catalog, feeds, markup, office, packages

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
