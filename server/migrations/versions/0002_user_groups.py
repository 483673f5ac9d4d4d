"""Audience groups of users.

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("groups", sa.JSON, nullable=False, server_default="[]"))


def downgrade():
    with op.batch_alter_table("users") as batch:
        batch.drop_column("groups")
