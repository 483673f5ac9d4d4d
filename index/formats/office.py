"""PDF (the text layer) and Word .docx (headings kept as structure)."""

import io
import logging
import zipfile

from ..documents import Document, UnreadableFile
from .meta import first_paragraph

MAX_PAGES = 500
# A .docx is a zip: what it declares unpacked bounds what zipfile will inflate. 50 MB is ~25x the
# largest real handbook document here; a 1 MB bomb that inflates to 1 GB is refused unopened.
MAX_UNZIPPED = 50 * 2**20
MAX_PARTS = 2000


def pdf(raw: bytes) -> list[Document]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # damaged files are reported, not logged
    try:
        reader = PdfReader(io.BytesIO(raw), strict=False)
        pages = [page.extract_text() or "" for page in reader.pages[:MAX_PAGES]]
        info = reader.metadata or {}
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise UnreadableFile(f"not a readable PDF ({exc.__class__.__name__})") from exc
    except RecursionError as exc:
        raise UnreadableFile("not a readable PDF (nested too deeply)") from exc
    except Exception as exc:  # noqa: BLE001  (pypdf's limits raise their own errors on traps)
        raise UnreadableFile(f"not a readable PDF ({exc.__class__.__name__})") from exc
    body = "\n".join(p.strip() for p in pages if p.strip())
    if not body:
        raise UnreadableFile("PDF has no text layer (a scan?); run OCR and ingest the result")
    lines = [line.strip() for line in body.splitlines() if line.strip()]
    title = str(info.get("/Title") or "").strip() or (lines[0][:200] if lines else "")
    return [Document(id="", source="", title=title, body=body,
                     summary=str(info.get("/Subject") or "").strip()[:1000]
                     or first_paragraph(body))]


def docx(raw: bytes) -> list[Document]:
    import docx as python_docx

    _check_unzipped(raw)
    try:
        document = python_docx.Document(io.BytesIO(raw))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise UnreadableFile(f"not a readable Word document ({exc.__class__.__name__})") from exc
    except Exception as exc:  # noqa: BLE001  (python-docx raises its own errors for junk parts)
        raise UnreadableFile(f"not a readable Word document ({exc.__class__.__name__})") from exc
    headings, parts = [], []
    # style names by id, read once: paragraph.style looks the default style up from scratch on
    # every call (9 pages/s on handbook-length documents; ~100/s this way)
    names = {s.style_id: (s.name or "").lower() for s in document.styles}
    for paragraph in document.paragraphs:
        text = paragraph.text.strip()
        if not text:
            continue
        parts.append(text)
        ppr = paragraph._p.pPr
        style = names.get(ppr.style if ppr is not None else None, "")
        if style.startswith(("heading", "title")):
            headings.append(text)
    props = document.core_properties
    body = "\n".join(parts)
    if not body:
        raise UnreadableFile("Word document has no text")
    title = (props.title or "").strip() or (headings[0] if headings else parts[0][:200])
    return [Document(id="", source="", title=title, body=body, headings=headings[:50],
                     summary=(props.subject or props.comments or "").strip()[:1000]
                     or first_paragraph(body))]


def _check_unzipped(raw: bytes) -> None:
    """Refuse a zip that would inflate past MAX_UNZIPPED or holds thousands of parts."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise UnreadableFile(f"not a readable Word document ({exc.__class__.__name__})") from exc
    if len(parts) > MAX_PARTS:
        raise UnreadableFile(f"not a Word document: {len(parts):,} parts in its zip")
    if sum(part.file_size for part in parts) > MAX_UNZIPPED:
        raise UnreadableFile(f"unpacks to more than {MAX_UNZIPPED // 2**20} MB (a zip bomb?)")
