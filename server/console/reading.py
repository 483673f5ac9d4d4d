"""/read/<id>: a document read in jitlearn itself, for content with no address of its own."""

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
    body = doc.body if doc is not None else hit.summary
    paragraphs = [" ".join(p.split()) for p in body.split("\n\n") if p.strip()]
    return render_template("read.html", hit=hit, paragraphs=paragraphs, reader=user)
