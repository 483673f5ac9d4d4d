"""The topic rules that fired for each request (ids), for per-rule precision.

Revision ID: 0009
Revises: 0008
"""
import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("suggestion_events") as batch:
        batch.add_column(sa.Column("rules", sa.JSON, nullable=False, server_default="[]"))


def downgrade():
    with op.batch_alter_table("suggestion_events") as batch:
        batch.drop_column("rules")
