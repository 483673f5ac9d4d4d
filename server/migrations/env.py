"""Alembic environment: runs on the connection db.upgrade() hands it (SQLite or PostgreSQL)."""

from alembic import context

from server.storage.models import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata,
                  render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
