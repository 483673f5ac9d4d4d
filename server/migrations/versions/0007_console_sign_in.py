"""Web console sign-in: password hashes, deactivation, one-time login links.

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("password_hash", sa.String(300), nullable=True))
        batch.add_column(sa.Column("active", sa.Boolean, nullable=False,
                                   server_default=sa.true()))
    op.create_table(
        "login_links",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("expires_at", sa.DateTime, nullable=False),
        sa.Column("used_at", sa.DateTime),
    )


def downgrade():
    op.drop_table("login_links")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("active")
        batch.drop_column("password_hash")
