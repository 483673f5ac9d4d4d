"""Ingest a directory into the index: parse, tag, and sync by content hash."""

import itertools
import multiprocessing as mp
import os
import sys
import threading
import time
from collections.abc import Callable, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from .documents import Document, UnreadableFile, content_hash
from .files import list_files, read_file, time_limit
from .formats import address, read_documents
from .store import ContentIndex
from .tags import apply_overrides
from .writer import make_profile

Tagger = Callable[[Document], dict[str, float]]
Overrides = Mapping[str, dict]  # document id -> what L&D set on it (index/tags.py)
VERSIONED = ("policy", "procedure")  # kinds whose earlier versions are kept on record
# A long ingest commits every BATCH documents: a run that is killed keeps what it committed, and
# the next run skips those files as unchanged. (Each commit costs a segment write; 1,000
# documents is ~10 s of ingest here, and the corpus takes 11 commits.)
BATCH = 1000


@dataclass
class IngestReport:
    source: str
    seen: int = 0  # files
    added: int = 0  # documents (a catalog file adds one per row)
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)  # (relative path, reason)
    seconds: float = 0.0
    # every policy and procedure of the source as indexed now: (id, content hash, title); the
    # database records a new version for each whose hash it has not seen (so a run killed
    # between the index's commit and the database's is made good by the next one)
    versions: list[tuple[str, str, str]] = field(default_factory=list)

    def indexed(self, doc: Document, new: bool) -> None:
        self.added += new
        self.updated += not new

    def summary(self) -> str:
        return (f"{self.source}: {self.seen} files ({self.unchanged} unchanged, "
                f"{len(self.failed)} failed); documents: {self.added} added, {self.updated} "
                f"updated, {self.deleted} removed; {self.seconds:.1f}s")


@dataclass
class _Job:
    """What every file of one ingest run needs; workers inherit it when they fork."""

    source: str
    root: Path
    tagger: Tagger
    analyze: Callable[[str], list[str]]
    url_template: str = ""  # the address of a document that has none of its own


# Runs in progress by key. Several syncs may run at once (the scheduler's threads, a manual sync
# from the console): each task names its own run, and forked workers inherit the table.
_jobs: dict[int, _Job] = {}
_keys = itertools.count()
_jobs_lock = threading.Lock()
# Parsing, tagging and profiling run in worker processes when there are enough files to repay
# starting them; the parent only writes to Whoosh (one writer). 2 cores: 95 s -> ~60 s here.
PARALLEL_FROM = 200


def _prepare(task: tuple[int, str, str | None]) -> tuple[str, list[Document], str]:
    """(relative path, its documents, failure reason or "unchanged" or "").

    Whatever goes wrong with one file is that file's failure, never the run's: a file that
    recurses a parser to its limit, exhausts memory or hangs is reported with a reason.
    """
    key, rel, old_hash = task
    job = _jobs[key]
    try:
        raw = read_file(job.root, rel)
        if old_hash and content_hash(raw) == old_hash:
            return rel, [], "unchanged"
        with time_limit():
            docs = read_documents(raw, job.source, rel)
            for doc in docs:
                if job.url_template and not doc.url:
                    doc.url = address(job.url_template, doc.id)
                doc.topics = job.tagger(doc)
                doc.profile = make_profile(job.analyze, doc.title, doc.headings, doc.body)
        return rel, docs, ""
    except (OSError, UnreadableFile) as exc:
        return rel, [], str(exc)
    except RecursionError:
        return rel, [], "nested too deeply to read"
    except MemoryError:
        return rel, [], "too large to read in memory"
    except Exception as exc:  # noqa: BLE001  (a parser's own error on a hostile file)
        return rel, [], f"could not be read ({exc.__class__.__name__})"


def ingest_dir(index: ContentIndex, source: str, root: str | os.PathLike, tagger: Tagger,
               progress: "Progress | None" = None, workers: int | None = None,
               overrides: Overrides | None = None, batch: int = BATCH,
               full: bool = False, url_template: str = "") -> IngestReport:
    """Bring the index in line with root: add new files, update changed ones, drop deleted ones.

    An unreadable file is reported and skipped; if an older version was indexed it stays.
    overrides: what L&D set on documents, applied over the auto-tags of each one re-indexed.
    full: re-read and re-tag every file, changed or not (after the taxonomy changed).
    url_template: where a document without an address of its own is read (formats.address);
    a changed template reaches unchanged files with full.
    """
    overrides = overrides or {}
    started = time.perf_counter()
    root = Path(root)
    if not root.is_dir():
        raise NotADirectoryError(f"{root} is not a directory")
    report = IngestReport(source=source)
    known = index.hashes(source)
    by_file: dict[str, dict[str, str]] = {}  # a catalog file holds many documents
    for doc_id, digest in known.items():
        by_file.setdefault(doc_id.split(":", 1)[1].split("#", 1)[0], {})[doc_id] = digest
    files = list_files(root)
    report.seen = len(files)
    progress = progress or Progress(len(files), label=source)
    with _jobs_lock:
        key = next(_keys)
        _jobs[key] = _Job(source, root, tagger, index.analyze, url_template)
    tasks = [(key, rel, None if full else next(iter(by_file.get(rel, {}).values()), None))
             for rel in files]
    workers = workers if workers is not None else (os.cpu_count() or 1)
    try:
        with Batches(index, batch) as w, _mapper(workers, len(tasks)) as mapper:
            for rel, docs, problem in mapper(_prepare, tasks):
                progress.step()
                if problem:  # unchanged, or unreadable now: what was indexed stays
                    for doc_id in by_file.get(rel, {}):
                        known.pop(doc_id, None)
                    if problem == "unchanged":
                        report.unchanged += 1
                    else:
                        report.failed.append((rel, problem))
                    continue
                for doc in docs:
                    apply_overrides(doc, overrides.get(doc.id), index.tag_floor)
                    w.update(doc)
                    report.indexed(doc, new=known.pop(doc.id, None) is None)
            for doc_id in known:  # indexed before, gone from the directory now
                report.deleted += w.delete(doc_id)
    finally:
        with _jobs_lock:
            del _jobs[key]
    progress.done()
    report.versions = index.versioned(source, VERSIONED)
    report.seconds = time.perf_counter() - started
    return report


class Batches:
    """An index writer that commits every `every` documents and once more at the end.

    On an error the uncommitted batch is cancelled; the batches before it stay committed.
    """

    def __init__(self, index: ContentIndex, every: int = BATCH):
        self.index, self.every, self.pending = index, every, 0
        self._stack: ExitStack | None = None
        self._writer = None

    def __enter__(self) -> "Batches":
        return self

    def __exit__(self, kind, exc, tb) -> None:
        if self._stack is not None:
            stack, self._stack, self._writer = self._stack, None, None
            stack.__exit__(kind, exc, tb)

    def _w(self):
        if self._writer is None:
            self._stack = ExitStack()
            self._writer = self._stack.enter_context(self.index.writer(timeout=60))
        return self._writer

    def update(self, doc: Document) -> None:
        self._w().update(doc)
        self.pending += 1
        if self.pending >= self.every:
            self.pending = 0
            self.__exit__(None, None, None)  # commit; the next document opens a new writer

    def delete(self, doc_id: str) -> int:
        return self._w().delete(doc_id)


@contextmanager
def _mapper(workers: int, n: int):
    """An ordered map: a fork pool for big runs, the plain built-in for small ones."""
    if workers < 2 or n < PARALLEL_FROM or "fork" not in mp.get_all_start_methods():
        yield map
        return
    with mp.get_context("fork").Pool(workers) as pool:
        yield lambda fn, items: pool.imap(fn, items, chunksize=8)


class Progress:
    """A one-line progress bar on a terminal; silent when output is piped or logged."""

    def __init__(self, total: int, label: str = "", stream=None, width: int = 30):
        self.total, self.label, self.width, self.n = total, label, width, 0
        self.stream = stream or sys.stderr
        self.enabled = hasattr(self.stream, "isatty") and self.stream.isatty()
        self._last = 0.0

    def step(self, n: int = 1) -> None:
        self.n += n
        now = time.monotonic()
        if self.enabled and (now - self._last > 0.1 or self.n >= self.total):
            self._last = now
            filled = int(self.width * self.n / max(self.total, 1))
            bar = "#" * filled + "-" * (self.width - filled)
            self.stream.write(f"\r{self.label} [{bar}] {self.n}/{self.total}")
            self.stream.flush()

    def done(self) -> None:
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()


def sync_documents(index: ContentIndex, source: str, docs: list[Document], tagger: Tagger,
                   keep: set[str] = frozenset(), failed: list[tuple[str, str]] | None = None,
                   overrides: Overrides | None = None) -> IngestReport:
    """Bring one source in line with a fetched list of documents (a feed, a sitemap's pages).

    Documents whose hash is unchanged are left alone, ids in keep are known unchanged without
    being fetched (a sitemap's lastmod said so), and every other id of the source is withdrawn.
    """
    started = time.perf_counter()
    report = IngestReport(source=source, seen=len(docs) + len(keep), failed=list(failed or []))
    known = index.hashes(source)
    with index.writer(timeout=60) as w:
        for doc_id in keep:
            if known.pop(doc_id, None) is not None:
                report.unchanged += 1
        for doc in docs:
            old = known.pop(doc.id, None)
            if old == doc.hash:
                report.unchanged += 1
                continue
            doc.topics = tagger(doc)
            apply_overrides(doc, (overrides or {}).get(doc.id), index.tag_floor)
            w.update(doc)
            report.indexed(doc, new=old is None)
        for doc_id in known:
            report.deleted += w.delete(doc_id)
    report.versions = index.versioned(source, VERSIONED)
    report.seconds = time.perf_counter() - started
    return report
