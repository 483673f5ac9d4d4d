"""Ingest a directory into the index: parse, tag, and sync by content hash."""

import multiprocessing as mp
import os
import sys
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from .documents import Document, UnreadableFile, content_hash, read_document, supported
from .profiles import make_profile
from .store import ContentIndex

Tagger = Callable[[Document], dict[str, float]]
MAX_FILE_BYTES = 5 * 1024 * 1024  # larger files are exports or data dumps, not reading


@dataclass
class IngestReport:
    source: str
    seen: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)  # (relative path, reason)
    seconds: float = 0.0

    def summary(self) -> str:
        return (f"{self.source}: {self.seen} files, {self.added} added, {self.updated} updated, "
                f"{self.unchanged} unchanged, {self.deleted} removed, {len(self.failed)} failed "
                f"in {self.seconds:.1f}s")


def list_files(root: Path) -> list[str]:
    """Supported files under root as POSIX paths relative to it, sorted; hidden dirs skipped."""
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            rel = Path(dirpath, name).relative_to(root).as_posix()
            if supported(rel):
                found.append(rel)
    return found


@dataclass
class _Job:
    """What every file of one ingest run needs; workers inherit it when they fork."""

    source: str
    root: Path
    tagger: Tagger
    analyze: Callable[[str], list[str]]


_job: _Job | None = None
# Parsing, tagging and profiling run in worker processes when there are enough files to repay
# starting them; the parent only writes to Whoosh (one writer). 2 cores: 95 s -> ~60 s here.
PARALLEL_FROM = 200


def _prepare(task: tuple[str, str | None]) -> tuple[str, Document | None, str]:
    """(relative path, document or None, failure reason or "unchanged" or "")."""
    rel, old_hash = task
    try:
        path = _job.root / rel
        if path.stat().st_size > MAX_FILE_BYTES:
            raise UnreadableFile(f"larger than {MAX_FILE_BYTES // 2**20} MB")
        raw = path.read_bytes()
        if old_hash and content_hash(raw) == old_hash:
            return rel, None, "unchanged"
        doc = read_document(raw, _job.source, rel)
        doc.topics = _job.tagger(doc)
        doc.profile = make_profile(_job.analyze, doc.title, doc.headings, doc.body)
        return rel, doc, ""
    except (OSError, UnreadableFile) as exc:
        return rel, None, str(exc)


def ingest_dir(index: ContentIndex, source: str, root: str | os.PathLike, tagger: Tagger,
               progress: "Progress | None" = None, workers: int | None = None) -> IngestReport:
    """Bring the index in line with root: add new files, update changed ones, drop deleted ones.

    An unreadable file is reported and skipped; if an older version was indexed it stays.
    """
    global _job
    started = time.perf_counter()
    root = Path(root)
    if not root.is_dir():
        raise NotADirectoryError(f"{root} is not a directory")
    report = IngestReport(source=source)
    known = index.hashes(source)
    files = list_files(root)
    report.seen = len(files)
    progress = progress or Progress(len(files), label=source)
    tasks = [(rel, known.get(f"{source}:{rel}")) for rel in files]
    workers = workers if workers is not None else (os.cpu_count() or 1)
    _job = _Job(source, root, tagger, index.analyze)
    try:
        with index.writer(timeout=60) as w, _mapper(workers, len(tasks)) as mapper:
            for rel, doc, problem in mapper(_prepare, tasks):
                progress.step()
                doc_id = f"{source}:{rel}"
                old = known.pop(doc_id, None)
                if problem == "unchanged":
                    report.unchanged += 1
                elif problem:
                    report.failed.append((rel, problem))
                else:
                    w.update(doc)
                    if old is None:
                        report.added += 1
                    else:
                        report.updated += 1
            for doc_id in known:  # indexed before, gone from the directory now
                report.deleted += w.delete(doc_id)
    finally:
        _job = None
    progress.done()
    report.seconds = time.perf_counter() - started
    return report


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
