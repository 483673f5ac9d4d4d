"""What every command shares: the group, the app a command runs on, and one translation of
what the services refuse into a clear message and exit status 1."""

import logging
import os

import click
from flask import Flask

from server.config import ConfigError
from server.core import core_app
from server.errors import ApiError
from server.storage.db import SchemaError


def command_app(quiet: bool = True, migrate: bool = False) -> Flask:
    """The app a command runs on: settings and the database, without the web parts (the API,
    the console), which only `serve` builds. Commands log warnings only, unless asked."""
    app = core_app(migrate=migrate)
    if quiet and "JITLEARN_LOG_LEVEL" not in os.environ:
        logging.getLogger().setLevel(logging.WARNING)
    return app


def fail(message: str) -> None:
    raise click.ClickException(message)


class Commands(click.Group):
    """Every command: what the services refuse (ApiError), a setting, a database schema or a
    ranking model that cannot be used are a clear message and exit status 1, not a trace; here
    once for all of them."""

    def invoke(self, ctx):
        from server.suggest.ranker import ModelError  # not at the top: `--help` stays quick

        try:
            return super().invoke(ctx)
        except ApiError as exc:
            raise click.ClickException(exc.message) from exc
        except (ConfigError, ModelError, SchemaError) as exc:
            raise click.ClickException(str(exc)) from exc


@click.group(cls=Commands, context_settings={"help_option_names": ["-h", "--help"]})
def main():
    """jitlearn: the few policies, courses and guides a person needs for the page they work on.

    Settings come from JITLEARN_* environment variables (JITLEARN_HOME, default ./var).
    """


@main.group("db")
def database():
    """The database's schema."""


@database.command("upgrade")
def database_upgrade():
    """Bring the database's schema to this jitlearn's newest migration (back it up first)."""
    command_app(migrate=True)
    click.echo("the database's schema is up to date")
