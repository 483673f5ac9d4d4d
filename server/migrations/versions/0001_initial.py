"""Users, API tokens, suggestion events and feedback.

Revision ID: 0001
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(100), nullable=False, unique=True),
        sa.Column("email", sa.String(200)),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("pseudonym", sa.String(32), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("prefix", sa.String(12), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("last_used_at", sa.DateTime),
        sa.Column("revoked_at", sa.DateTime),
    )
    op.create_table(
        "suggestion_events",
        sa.Column("request_id", sa.String(32), primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("topics", sa.JSON, nullable=False),
        sa.Column("shown", sa.JSON, nullable=False),
    )
    op.create_index("ix_suggestion_events_user_id", "suggestion_events", ["user_id"])
    op.create_index("ix_suggestion_events_created_at", "suggestion_events", ["created_at"])
    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("request_id", sa.String(32), nullable=False),
        sa.Column("content_id", sa.String(500), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("topics", sa.JSON, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_feedback_user_action", "feedback", ["user_id", "action"])


def downgrade():
    op.drop_table("feedback")
    op.drop_table("suggestion_events")
    op.drop_table("api_tokens")
    op.drop_table("users")
