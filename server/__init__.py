"""server: the Flask app (API now, web console later) over the nlp and index packages."""

import logging

from flask import Flask
from flask_cors import CORS

from . import config, db, errors


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.config.from_mapping(config.DEFAULTS)
    if test_config is None:
        app.config.from_prefixed_env("JITLEARN")
    else:
        app.config.from_mapping(test_config)
    config.resolve_paths(app.config)
    logging.basicConfig(level=app.config["LOG_LEVEL"],
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)  # one line per migration is noise
    errors.init_app(app)
    db.init_app(app)
    origins = [f"chrome-extension://{i.strip()}" for i in
               str(app.config["EXTENSION_IDS"]).split(",") if i.strip()]
    CORS(app, resources={r"/api/*": {"origins": origins}}, allow_headers=["Authorization",
                                                                         "Content-Type"])
    from . import people_api  # noqa: F401  (its views join the api blueprint)
    from .api import api, root

    app.register_blueprint(root)
    app.register_blueprint(api)
    from . import console, console_library, console_rules  # noqa: F401  (pages join console)

    console.init_app(app)
    return app
