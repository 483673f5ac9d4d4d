"""What people in an occupation do: O*NET's task statements, for the duties a target role
adds to what a person does now.

Revision ID: 0016
Revises: 0015
"""
import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "occupation_tasks",
        sa.Column("occupation_id", sa.String(200),
                  sa.ForeignKey("occupations.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("position", sa.Integer, primary_key=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("core", sa.Boolean, nullable=False, server_default=sa.true()),
    )


def downgrade():
    op.drop_table("occupation_tasks")
