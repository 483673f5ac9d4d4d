"""The web console under /console: sign-in, sessions and the pages for L&D, admins and people."""

from server.console import (  # noqa: F401  (their pages join the console)
    learning,
    library,
    opportunities,
    rules,
    sources,
)
from server.console.views import console, init_app

__all__ = ["console", "init_app"]
