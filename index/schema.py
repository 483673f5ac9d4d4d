"""The Whoosh schema: every field of the content index, in one place."""

from whoosh.analysis import StemmingAnalyzer
from whoosh.fields import BOOLEAN, DATETIME, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

# Field boosts for BM25F: a word in the title says far more about a document than one in the body.
TITLE_BOOST = 3.0
HEADINGS_BOOST = 1.5


def make_schema() -> Schema:
    stem = StemmingAnalyzer()  # English stemming and stop words, shared so query terms match
    return Schema(
        id=ID(stored=True, unique=True),  # "<source>:<path relative to the ingested dir>"
        source=ID(stored=True),  # the --source name the document came from
        title=TEXT(analyzer=stem, stored=True, field_boost=TITLE_BOOST),
        path=TEXT(analyzer=stem),  # words of the file path: folders name what a page is about
        headings=TEXT(analyzer=stem, field_boost=HEADINGS_BOOST),  # section headings, joined
        summary=TEXT(analyzer=stem, stored=True),  # front matter description or first paragraph
        body=TEXT(analyzer=stem),  # full text; searched, stored only compressed in text
        url=STORED,  # where the person opens it; may be empty
        type=ID(stored=True),  # policy | course | guide | procedure | template | event | reference
        topics=KEYWORD(stored=True, commas=True, scorable=True),  # taxonomy ids, auto-tagged
        subjects=KEYWORD(commas=True),  # the topics the document is mainly about
        topic_weights=STORED,  # {taxonomy id: 0..1}, how strongly each topic is about the doc
        tags=KEYWORD(stored=True, commas=True, lowercase=True, scorable=True),  # front matter
        skills=KEYWORD(stored=True, commas=True, lowercase=True),
        audience=KEYWORD(stored=True, commas=True, lowercase=True),  # roles or departments
        mandatory=BOOLEAN(stored=True),  # a policy everyone in its audience must know
        language=ID(stored=True),
        level=ID(stored=True),  # beginner | intermediate | advanced, for courses
        duration=NUMERIC(stored=True),  # minutes, 0 when unknown
        provider=ID(stored=True),  # who offers a course: a catalog's provider or author
        updated=DATETIME(stored=True),  # when the content says it was last updated
        indexed=DATETIME(stored=True),  # when this version entered the index
        owner=ID(stored=True),  # who keeps it current
        review_by=DATETIME(stored=True),  # the owner reviews it by then
        profile=STORED,  # term frequencies per field, for in-memory ranking (profiles.py)
        links=STORED,  # path keys this document links to; in-links make a page canonical
        hash=STORED,  # content hash: re-ingesting skips unchanged files
        proposed=STORED,  # {taxonomy id: confidence} the auto-tagger proposed, before L&D edits
        # zlib-compressed JSON: headings, body and the source's values of the editable fields,
        # so an L&D edit re-indexes the document without re-reading its source
        text=STORED,
    )
