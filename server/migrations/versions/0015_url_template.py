"""A source's address template: where its documents without an address of their own are read;
and whether its next sync re-reads every file (the template changed).

Revision ID: 0015
Revises: 0014
"""
import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("sources") as batch:
        batch.add_column(sa.Column("url_template", sa.String(500), nullable=False,
                                   server_default=""))
        batch.add_column(sa.Column("reread", sa.Boolean, nullable=False,
                                   server_default=sa.false()))


def downgrade():
    with op.batch_alter_table("sources") as batch:
        batch.drop_column("reread")
        batch.drop_column("url_template")
