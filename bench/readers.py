"""Reading every format: real pages of the reference corpora written as HTML, PDF, Word and feeds,
and how fast each reader turns them into documents."""

import sys
import time
from pathlib import Path

from common import ROOT

from index import read_documents
from index.formats import SUPPORTED


def real_pages(corpora: Path, n: int) -> list[tuple[str, str]]:
    """(title, Markdown body) of n real handbook pages, front matter dropped."""
    pages = []
    for path in sorted((corpora / "gitlab-handbook").rglob("*.md")):
        text = path.read_text(encoding="utf-8", errors="replace")
        if text.startswith("---"):
            text = text.split("---", 2)[-1]
        if len(text) > 2_000:
            pages.append((path.stem.replace("-", " ").capitalize(), text[:40_000]))
        if len(pages) == n:
            break
    return pages


def as_html(title: str, markdown: str) -> bytes:
    """A page as an intranet publishes it: navigation, header and footer around the article."""
    from markdown_it import MarkdownIt

    nav = "".join(f'<li><a href="/section-{i}">Section {i}</a></li>' for i in range(40))
    return (f"<!doctype html><html><head><title>{title} - Intranet</title></head><body>"
            f"<header><nav><ul>{nav}</ul></nav></header><main><article><h1>{title}</h1>"
            f"{MarkdownIt().render(markdown)}</article></main><footer><nav><ul>{nav}</ul>"
            f"</nav><p>Copyright Example Corp</p></footer></body></html>").encode()


def as_pdf(title: str, markdown: str) -> bytes:
    """The page printed to PDF (text layer, wrapped lines, as many pages as it needs)."""
    import io
    import textwrap

    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.setTitle(title)
    y = 800
    for line in (w for para in markdown.splitlines() for w in textwrap.wrap(para, 90) or [""]):
        if y < 60:
            pdf.showPage()
            y = 800
        pdf.drawString(50, y, line)
        y -= 14
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def as_docx(title: str, markdown: str) -> bytes:
    """The page as a Word file, Markdown headings as Word headings."""
    import io

    import docx

    document = docx.Document()
    document.core_properties.title = title
    for line in markdown.splitlines():
        if line.startswith("#"):
            document.add_heading(line.lstrip("#").strip(), level=min(line.count("#"), 4))
        elif line.strip():
            document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def as_feed(pages: list[tuple[str, str]], kind: str) -> bytes:
    """A blog feed (RSS or Atom) whose entries carry the pages' text."""
    from feedgen.feed import FeedGenerator

    fg = FeedGenerator()
    fg.id("https://blog.example.com/")
    fg.title("Engineering blog")
    fg.link(href="https://blog.example.com/", rel="alternate")
    fg.description("Posts")
    for i, (title, markdown) in enumerate(pages):
        entry = fg.add_entry()
        entry.id(f"https://blog.example.com/{i}")
        entry.title(title)
        entry.link(href=f"https://blog.example.com/{i}")
        entry.description(markdown[:5_000])
    return fg.rss_str() if kind == "rss" else fg.atom_str()


def formats(corpora: Path, tmp: Path) -> dict:
    """Documents per second for each format. Markdown, text and the CSV and JSON catalogs are the
    corpora's own files; HTML, PDF, DOCX and feeds carry 100 real handbook pages (the corpora
    hold none of those formats), made with the libraries an intranet or office suite uses."""
    sys.path.insert(0, str(ROOT / "tests" / "index"))

    samples: dict[str, list[tuple[str, bytes]]] = {}
    for path in sorted(corpora.rglob("*")):
        name = path.name.lower()
        ext = next((e for e in SUPPORTED if name.endswith(e)), None)
        if ext and path.is_file() and len(samples.setdefault(ext, [])) < 300 \
                and "onet" not in str(path) and "esco" not in str(path):
            samples[ext].append((path.name, path.read_bytes()))
    from test_formats import SCORM  # the tests' SCORM manifest

    pages = real_pages(corpora, 100)
    samples[".html"] = [(f"{i}.html", as_html(*p)) for i, p in enumerate(pages)]
    samples[".pdf"] = [(f"{i}.pdf", as_pdf(*p)) for i, p in enumerate(pages)]
    samples[".docx"] = [(f"{i}.docx", as_docx(*p)) for i, p in enumerate(pages)]
    samples[".rss"] = [("blog.rss", as_feed(pages, "rss"))] * 3
    samples[".atom"] = [("blog.atom", as_feed(pages, "atom"))] * 3
    samples[".imsmanifest.xml"] = [("imsmanifest.xml", SCORM)] * 200
    out = {}
    for ext, files in samples.items():
        started, docs = time.perf_counter(), 0
        for name, raw in files:
            try:
                docs += len(read_documents(raw, "bench", name))
            except ValueError:
                pass
        seconds = time.perf_counter() - started
        out[ext] = {"files": len(files), "documents": docs,
                    "mb_per_s": round(sum(len(r) for _, r in files) / 2**20 / seconds, 2)
                    if seconds else None,
                    "documents_per_s": round(docs / seconds) if seconds else None}
    return out
