"""The web app: the core app (settings, database), then each web part's init_app and blueprint."""

from flask import Flask, request
from flask_cors import CORS
from werkzeug.middleware.proxy_fix import ProxyFix

from server import console, errors, limits, payload
from server.api import api, root
from server.core import core_app
from server.errors import PAGES
from server.integrations.scim import scim


def create_app(test_config: dict | None = None, migrate: bool = False) -> Flask:
    """The web app: the core app (settings, database) with the API, SCIM and the console."""
    app = core_app(test_config, migrate)
    app.url_map.converters["int"] = payload.WholeNumber  # ids past 64 bits are 404, not 500
    errors.init_app(app)
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
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    return app


# The console and the reading pages run no script and load only their stylesheet and images;
# the API is JSON that nothing should render or frame.
CONSOLE_CSP = ("default-src 'self'; script-src 'none'; style-src 'self'; img-src 'self'; "
               "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")
API_CSP = "default-src 'none'; frame-ancestors 'none'"


def security_headers(response):
    response.headers.setdefault("Content-Security-Policy", CONSOLE_CSP
                                if request.path.startswith(PAGES) else API_CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    return response
