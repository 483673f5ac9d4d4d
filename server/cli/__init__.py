"""The `jitlearn` command: serve, ingest, suggest, eval, users, tokens."""

from server.cli import data, library, people, relevance, serve  # noqa: F401  (their commands)
from server.cli.base import main

__all__ = ["main"]
