"""ESCO occupations linked to the O*NET occupation they are (by their names), so a role search
shows them beside it.

Revision ID: 0017
Revises: 0016
"""
import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("occupations") as table:
        table.add_column(sa.Column("same_as", sa.String(200), nullable=True))
        table.create_index("ix_occupations_same_as", ["same_as"])


def downgrade():
    with op.batch_alter_table("occupations") as table:
        table.drop_index("ix_occupations_same_as")
        table.drop_column("same_as")
