"""xAPI statements on their way to the organisation's LRS.

Revision ID: 0012
Revises: 0011
"""
import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "xapi_outbox",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("statement_id", sa.String(36), nullable=False, unique=True),
        sa.Column("statement", sa.JSON, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", sa.DateTime, nullable=False, index=True),
        sa.Column("sent_at", sa.DateTime, nullable=True, index=True),
        sa.Column("rejected", sa.Boolean, nullable=False),
        sa.Column("last_error", sa.String(500), nullable=False),
    )


def downgrade():
    op.drop_table("xapi_outbox")
