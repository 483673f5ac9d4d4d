"""The JSON API under /api/v1: the blueprint, its views, who may call them and the contract."""

from server.api import growth, people  # noqa: F401  (their views join the api blueprint)
from server.api.views import api, root

__all__ = ["api", "root"]
