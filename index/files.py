"""Reading files from a content folder that anyone with write access to it may have laid out.

A folder source is hostile input: a link can point at the server's own secrets, a FIFO can hang a
reader forever, a device can be read until memory runs out. Only regular files that really lie
inside the folder are read, through one descriptor checked after it is opened (so a file swapped
for a link between the check and the read is caught too), and never more than the size limit.
"""

import os
import signal
import stat
import threading
from contextlib import contextmanager
from pathlib import Path

from .documents import UnreadableFile
from .formats import supported

MAX_FILE_BYTES = 5 * 1024 * 1024  # larger files are exports or data dumps, not reading
# A parse that takes longer is a trap (or a file nobody will read): 30 s is ~100x the slowest
# real handbook page here (a 300-page PDF reads in ~3 s).
PARSE_SECONDS = 30
MAX_DEPTH = 64  # folders below the source's root; deeper trees are loops or traps


def list_files(root: Path) -> list[str]:
    """Supported files under root as POSIX paths relative to it, sorted.

    Hidden folders and linked folders are skipped (a link to "/" would walk the whole disk);
    links to files are listed and judged when read.
    """
    found = []
    root = Path(root)
    for dirpath, dirnames, filenames in os.walk(root):
        depth = len(Path(dirpath).relative_to(root).parts)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".")) \
            if depth < MAX_DEPTH else []
        for name in sorted(filenames):
            rel = Path(dirpath, name).relative_to(root).as_posix()
            if supported(rel):
                found.append(rel)
    return found


def read_file(root: Path, rel: str, max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of root/rel if it is a regular file inside root; UnreadableFile says why not."""
    root = Path(os.path.realpath(root))
    real = Path(os.path.realpath(root / rel))
    if real != root and root not in real.parents:
        raise UnreadableFile("a link to a file outside the source folder (not read)")
    try:
        # O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer forever
        fd = os.open(real, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY)
    except OSError as exc:
        raise UnreadableFile(f"cannot be opened ({exc.strerror or exc})") from exc
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise UnreadableFile("not a regular file (a device, pipe or socket; not read)")
        if info.st_size > max_bytes:
            raise UnreadableFile(f"larger than {max_bytes // 2**20} MB")
        raw = handle.read(max_bytes + 1)
    if len(raw) > max_bytes:  # it grew while being read
        raise UnreadableFile(f"larger than {max_bytes // 2**20} MB")
    return raw


class ParseTimeout(UnreadableFile):
    """A file took longer than PARSE_SECONDS to read."""


@contextmanager
def time_limit(seconds: float = PARSE_SECONDS):
    """Raise ParseTimeout in the block after `seconds`.

    A timer signal works only on a process's main thread: the CLI and the ingest worker
    processes. A sync run on another thread (the scheduler's) parses without it; the size limits
    above still bound what each file can cost.
    """
    if threading.current_thread() is not threading.main_thread() or not seconds:
        yield
        return

    def expired(signum, frame):
        raise ParseTimeout(f"took longer than {seconds:g} s to read")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
