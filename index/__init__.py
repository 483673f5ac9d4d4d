"""index: the content library's search index (Whoosh behind a small interface). No Flask here."""

from . import snapshots
from .documents import Document, UnreadableFile
from .files import list_files, read_file
from .formats import read_document, read_documents, supported
from .hits import SUBJECT_WEIGHT, SearchHit, SearchRequest
from .ingest import IngestReport, Progress, ingest_dir, sync_documents
from .links import path_words
from .schema import make_schema
from .store import ContentIndex, IndexBusy
from .tags import EDITABLE, LEVELS

__all__ = ["EDITABLE", "LEVELS", "SUBJECT_WEIGHT", "ContentIndex", "Document", "IndexBusy",
           "IngestReport", "Progress", "SearchHit", "SearchRequest", "UnreadableFile", "ingest_dir",
           "list_files", "make_schema", "path_words", "read_document", "read_documents",
           "read_file", "snapshots", "sync_documents", "supported"]
