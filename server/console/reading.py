"""/read/<id>: a document read in jitlearn itself, for content with no address of its own."""

import re
from pathlib import Path

from flask import Blueprint, current_app, render_template, request

from server.content.reading import reader
from server.runtime import index_of
from server.storage import db

pages = Blueprint("reading", __name__, template_folder=Path(__file__).parent.parent / "templates")


@pages.get("/read/<path:doc_id>")
def read(doc_id: str):
    user, hit = reader(current_app, db.session(), doc_id, request.args)
    doc = index_of(current_app).document(doc_id)
    return render_template("read.html", hit=hit, reader=user,
                           blocks=blocks(doc.body if doc is not None else hit.summary, hit.title))


HEADING = re.compile(r"#{1,6}\s+(.+)")


def blocks(body: str, title: str) -> list[tuple[str, str]]:
    """The text as the index keeps it (a line per block, Markdown's "#" on headings) as
    (kind, text) pairs to show: "heading" or "paragraph"; the title is not said twice."""
    out = []
    for line in body.splitlines():
        line = " ".join(line.split())
        if not line:
            continue
        heading = HEADING.fullmatch(line)
        if heading is None:
            out.append(("paragraph", line))
        elif heading[1].lower() != title.lower():
            out.append(("heading", heading[1]))
    return out
