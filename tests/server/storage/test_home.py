"""The data directory and everything jitlearn writes in it are its owner's alone."""

import stat

from server.app import create_app
from server.storage.backup import backup


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_data_directory_its_files_and_backups_are_private(tmp_path):
    home = tmp_path / "home"
    home.mkdir(mode=0o755)
    (home / "jitlearn.db").touch(mode=0o644)  # left by an older version
    app = create_app({"HOME": str(home), "MODEL": "", "TESTING": True})
    assert mode(home) == 0o700
    assert mode(home / "secret_key") == 0o600
    assert mode(home / "jitlearn.db") == 0o600
    target = tmp_path / "backup.tar.gz"
    on_sqlite = app.config["DATABASE_URL"].startswith("sqlite")  # else pg_dump backs it up
    with app.app_context():
        backup(app, target, index_only=not on_sqlite)
    assert mode(target) == 0o600
