"""Manual tags: what L&D set on a document, re-applied at every sync.

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "content_tags",
        sa.Column("content_id", sa.String(500), primary_key=True),
        sa.Column("fields", sa.JSON, nullable=False),
        sa.Column("updated_by", sa.String(100), nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )


def downgrade():
    op.drop_table("content_tags")
