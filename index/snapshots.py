"""Index snapshots: one writer publishes the index, every other machine follows it.

A snapshot is a complete copy of the index directory at one generation, taken while the index's
write lock is held (no commit lands mid-copy), written under a temporary name and renamed into
place, then announced by atomically replacing the file CURRENT with its name. A follower copies
the snapshot CURRENT names to its own disk the same way and opens that copy. A published
snapshot never changes, so no reader ever sees half of one.
"""

import os
import shutil
import time
from pathlib import Path

from .store import ContentIndex

CURRENT = "CURRENT"
KEEP = 3  # snapshots kept in the shared store and on each follower


def current(store: Path) -> str | None:
    """The name of the newest published snapshot, or None before the first."""
    try:
        name = (Path(store) / CURRENT).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return name if name and (Path(store) / name).is_dir() else None


def generation(name: str | None) -> int:
    """The index generation a snapshot holds (its name ends with it); -1 for none."""
    try:
        return int(str(name).rsplit("-g", 1)[1])
    except (IndexError, ValueError):
        return -1


def publish(index: ContentIndex, store: Path, keep: int = KEEP) -> str:
    """Copy the index into the store as a new snapshot and announce it; its name."""
    store = Path(store)
    store.mkdir(parents=True, exist_ok=True)
    with index.locked(timeout=120):  # no commit while the files are copied
        gen = index.ix.latest_generation()
        name = f"{time.strftime('%Y%m%dT%H%M%S', time.gmtime())}-{time.time_ns() % 10**9:09d}" \
               f"-g{gen}"
        partial = store / f".{name}.partial"
        partial.mkdir()
        for path in sorted(Path(index.path).iterdir()):
            if path.is_file() and not path.name.endswith("WRITELOCK"):
                shutil.copy2(path, partial / path.name)
    _sync(partial)
    os.rename(partial, store / name)
    _announce(store, name)
    _prune(store, keep, name)
    return name


def fetch(store: Path, name: str, local: Path) -> Path:
    """The snapshot copied to local disk (once; concurrent fetchers each copy, one wins)."""
    local = Path(local)
    target = local / name
    if target.is_dir():
        return target
    local.mkdir(parents=True, exist_ok=True)
    partial = local / f".{name}.{os.getpid()}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    shutil.copytree(Path(store) / name, partial)
    try:
        os.rename(partial, target)
    except OSError:  # another process on this machine got there first
        shutil.rmtree(partial, ignore_errors=True)
    _prune(local, KEEP, name)
    return target


def newest_local(local: Path) -> Path | None:
    """The newest snapshot already on this machine (to start from before the store answers)."""
    found = sorted((p for p in Path(local).glob("*-g*") if p.is_dir()), key=lambda p: p.name)
    return found[-1] if found else None


def _announce(store: Path, name: str) -> None:
    tmp = store / f".{CURRENT}.{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(name + "\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, store / CURRENT)


def _sync(folder: Path) -> None:
    """Flush the copied files to disk before the rename makes them visible."""
    for path in folder.iterdir():
        with open(path, "rb") as f:
            os.fsync(f.fileno())


def _prune(folder: Path, keep: int, protect: str) -> None:
    """Drop all but the newest `keep` snapshots (never `protect`)."""
    snapshots = sorted((p for p in folder.glob("*-g*") if p.is_dir()), key=lambda p: p.name)
    for old in snapshots[:-keep]:
        if old.name != protect:
            shutil.rmtree(old, ignore_errors=True)
