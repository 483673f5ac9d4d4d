"""`jitlearn backup` and `jitlearn restore`: the whole data directory as one archive, taken live.

The SQLite database is copied with SQLite's online backup (readers and the writer go on), the
index while holding its write lock (so no commit lands mid-copy; searches go on), then the
console's key and the published rule versions. Restore checks every name in the archive, unpacks
into an empty data directory, and checks that the database passes SQLite's integrity check and
the index opens.
"""

import io
import json
import os
import sqlite3
import tarfile
import tempfile
import time
from pathlib import Path, PurePosixPath

from flask import Flask

from index import ContentIndex
from server.runtime import index_of

MANIFEST = "jitlearn-backup.json"


class BackupError(ValueError):
    """The backup or restore cannot be done; the message says why."""


def _sqlite_path(app: Flask) -> Path:
    url = app.config["DATABASE_URL"]
    if not url.startswith("sqlite:///"):
        raise BackupError("this backs up SQLite data directories; back up a PostgreSQL "
                          "database with pg_dump, and the index with this command's --index-only")
    return Path(url.removeprefix("sqlite:///"))


def backup(app: Flask, target: Path, index_only: bool = False) -> dict:
    """Write target (.tar.gz); returns what went in."""
    home = Path(app.config["HOME"])
    counts = {"database": 0, "index_files": 0}
    # the backup holds the signing key and everyone's data: readable by its owner only, from the
    # moment it exists
    os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
    os.chmod(target, 0o600)
    with tarfile.open(target, "w:gz") as tar, tempfile.TemporaryDirectory() as tmp:
        if not index_only:
            source = sqlite3.connect(_sqlite_path(app))
            copy = sqlite3.connect(Path(tmp) / "jitlearn.db")
            with copy:
                source.backup(copy)  # a consistent snapshot while others read and write
            source.close()
            copy.close()
            tar.add(Path(tmp) / "jitlearn.db", arcname="jitlearn.db")
            counts["database"] = 1
            for extra in ("secret_key", "rulesets"):
                if (home / extra).exists():
                    tar.add(home / extra, arcname=extra)
        index_dir = Path(app.config["INDEX_DIR"])
        with index_of(app).locked(timeout=120):  # no commit while the files are copied
            for path in sorted(index_dir.iterdir()):
                if path.is_file() and not path.name.endswith("WRITELOCK"):
                    tar.add(path, arcname=f"index/{path.name}")
                    counts["index_files"] += 1
        manifest = json.dumps({"made_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                               **counts}).encode()
        info = tarfile.TarInfo(MANIFEST)
        info.size = len(manifest)
        tar.addfile(info, io.BytesIO(manifest))
    return counts


def restore(source: Path, home: Path) -> dict:
    """Unpack a backup into home (which must be empty or missing) and check it."""
    if home.exists() and any(home.iterdir()):
        raise BackupError(f"{home} is not empty: restore into a new data directory, then point "
                          "JITLEARN_HOME at it")
    try:
        tar = tarfile.open(source, "r:gz")
    except (OSError, tarfile.TarError) as exc:
        raise BackupError(f"{source} is not a jitlearn backup ({exc})") from exc
    with tar:
        names = tar.getnames()
        if MANIFEST not in names:
            raise BackupError(f"{source} is not a jitlearn backup (no {MANIFEST})")
        for member in tar.getmembers():
            path = PurePosixPath(member.name)
            if path.is_absolute() or ".." in path.parts or not (member.isfile() or
                                                                 member.isdir()):
                raise BackupError(f"refused: {member.name!r} would land outside the data "
                                  "directory or is not a plain file")
        home.mkdir(parents=True, exist_ok=True)
        tar.extractall(home, filter="data")
    return check(home)


def check(home: Path) -> dict:
    """The database passes SQLite's integrity check and the index opens."""
    out = {}
    db = home / "jitlearn.db"
    if db.exists():
        with sqlite3.connect(db) as conn:
            result = conn.execute("PRAGMA integrity_check").fetchone()[0]
        if result != "ok":
            raise BackupError(f"the database fails its integrity check: {result}")
        out["database"] = "ok"
    out["documents"] = ContentIndex(home / "index").doc_count()
    return out
