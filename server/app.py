"""The Flask app: defaults, then the environment or a test dict, then each part's init_app."""

import logging

from flask import Flask
from flask_cors import CORS

from server import config, console, errors, limits, payload
from server.api import api, root
from server.integrations.scim import scim
from server.storage import db


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
    app.url_map.converters["int"] = payload.WholeNumber  # ids past 64 bits are 404, not 500
    errors.init_app(app)
    db.init_app(app)
    limits.init_app(app)
    origins = [f"chrome-extension://{i.strip()}" for i in
               str(app.config["EXTENSION_IDS"]).split(",") if i.strip()]
    CORS(app, resources={r"/api/*": {"origins": origins}}, allow_headers=["Authorization",
                                                                         "Content-Type"])
    app.register_blueprint(root)
    app.register_blueprint(api)
    app.register_blueprint(scim)
    console.init_app(app)
    app.after_request(security_headers)
    hops = int(app.config["PROXY_HOPS"])
    if hops:  # behind a reverse proxy: the client's address and scheme from its headers
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    return app


# The console runs no script at all and loads only its own stylesheet and images; the API is
# JSON that nothing should render or frame.
CONSOLE_CSP = ("default-src 'self'; script-src 'none'; style-src 'self'; img-src 'self'; "
               "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")
API_CSP = "default-src 'none'; frame-ancestors 'none'"


def security_headers(response):
    from flask import request

    response.headers.setdefault("Content-Security-Policy", CONSOLE_CSP
                                if request.path.startswith("/console") else API_CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    return response
