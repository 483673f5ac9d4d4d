"""The app every part of jitlearn needs: its settings, logging, database and Runtime.

The CLI's commands run on this alone; server.app.create_app adds the web parts (the API, SCIM and
the console) on top. Importing this loads neither the views nor spaCy (about 2 s a command).
"""

import logging

from flask import Flask

from server import config
from server.storage import db


def core_app(test_config: dict | None = None, migrate: bool = False) -> Flask:
    """Defaults, then JITLEARN_* from the environment (or the test dict), then the database.

    A new, empty database gets its schema; one an older jitlearn left behind is upgraded only
    when asked (`jitlearn serve`, `jitlearn db upgrade`), else SchemaError says what to run.
    """
    app = Flask("server")
    app.config.from_mapping(config.DEFAULTS)
    if test_config is None:
        app.config.from_prefixed_env("JITLEARN")
    else:
        app.config.from_mapping(test_config)
    config.typed(app.config)
    config.resolve_paths(app.config)
    logging.basicConfig(level=app.config["LOG_LEVEL"],
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)  # one line per migration is noise
    db.init_app(app, migrate)
    return app
