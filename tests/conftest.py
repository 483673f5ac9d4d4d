"""Shared fixtures: the pipeline and a sample-content index built once per session."""

from pathlib import Path

import pytest

from index import ContentIndex, ingest_dir, path_words
from nlp import DocumentTagger, TopicExtractor
from server import create_app
from server.engine import Engine

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples" / "content"
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def tagger() -> DocumentTagger:
    return DocumentTagger()


@pytest.fixture(scope="session")
def tag(tagger):
    """The ingest tagger as `jitlearn ingest` uses it: Document -> {topic: weight}."""
    return lambda d: tagger.tag(d.title, d.headings, d.summary, d.body, path_words(d.id), d.tags)


@pytest.fixture(scope="session")
def shared() -> Path:
    return SHARED


@pytest.fixture(scope="session")
def extractor() -> TopicExtractor:
    return TopicExtractor.build()


@pytest.fixture(scope="session")
def sample_index(tmp_path_factory, tag) -> Path:
    """The built-in sample content, ingested once; tests must not write to it."""
    path = tmp_path_factory.mktemp("sample-index")
    report = ingest_dir(ContentIndex(path), "samples", SAMPLES, tag)
    assert report.added > 50 and not report.failed
    return path


@pytest.fixture(scope="session")
def engine(extractor, sample_index) -> Engine:
    return Engine(extractor, ContentIndex(sample_index))


@pytest.fixture
def app(tmp_path, sample_index, engine):
    app = create_app({"HOME": str(tmp_path), "INDEX_DIR": str(sample_index), "TESTING": True})
    app.extensions["jitlearn.index"] = engine.index
    app.extensions["jitlearn.engine"] = engine
    return app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make_token(app):
    from server import db
    from server.people import add_user, create_token

    def make(name="ada", role="employee") -> str:
        with app.app_context():
            return create_token(db.session(), add_user(db.session(), name, role))

    return make


@pytest.fixture
def auth(make_token) -> dict:
    return {"Authorization": f"Bearer {make_token()}"}
