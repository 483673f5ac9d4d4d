"""Content sources with their schedule and last sync status.

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "sources",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(100), nullable=False, unique=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("location", sa.String(2000), nullable=False),
        sa.Column("every_minutes", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("last_run_at", sa.DateTime),
        sa.Column("last_status", sa.String(20), nullable=False),
        sa.Column("last_counts", sa.JSON, nullable=False),
        sa.Column("last_failures", sa.JSON, nullable=False),
    )


def downgrade():
    op.drop_table("sources")
