"""Policy versions, and the version each feedback (an acknowledgment) was about.

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "content_versions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("content_id", sa.String(500), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_content_versions_content", "content_versions", ["content_id", "version"],
                    unique=True)
    with op.batch_alter_table("feedback") as batch:
        batch.add_column(sa.Column("content_hash", sa.String(64), nullable=False,
                                   server_default=""))


def downgrade():
    with op.batch_alter_table("feedback") as batch:
        batch.drop_column("content_hash")
    op.drop_table("content_versions")
