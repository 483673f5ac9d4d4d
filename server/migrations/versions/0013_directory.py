"""The organisation's directory: OIDC sign-in, the extension's connect codes, SCIM users and groups.

Revision ID: 0013
Revises: 0012
"""
import uuid

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("oidc_subject", sa.String(600), nullable=True))
        batch.add_column(sa.Column("external_id", sa.String(200), nullable=True))
        batch.add_column(sa.Column("directory_id", sa.String(36), nullable=True))
        batch.add_column(sa.Column("display_name", sa.String(200), nullable=False,
                                   server_default=""))
        batch.add_column(sa.Column("employee_number", sa.String(100), nullable=False,
                                   server_default=""))
        batch.add_column(sa.Column("updated_at", sa.DateTime, nullable=True))
        batch.create_unique_constraint("uq_users_oidc_subject", ["oidc_subject"])
        batch.create_unique_constraint("uq_users_external_id", ["external_id"])
        batch.create_unique_constraint("uq_users_directory_id", ["directory_id"])
    users = sa.table("users", sa.column("id", sa.Integer), sa.column("directory_id", sa.String),
                     sa.column("created_at", sa.DateTime), sa.column("updated_at", sa.DateTime))
    connection = op.get_bind()
    for (user_id,) in connection.execute(sa.select(users.c.id)).all():  # everyone gets a SCIM id
        connection.execute(users.update().where(users.c.id == user_id)
                           .values(directory_id=str(uuid.uuid4())))
    connection.execute(users.update().values(updated_at=users.c.created_at))
    op.create_table(
        "oidc_requests",
        sa.Column("state_hash", sa.String(64), primary_key=True),
        sa.Column("browser_hash", sa.String(64), nullable=False),
        sa.Column("nonce", sa.String(100), nullable=False),
        sa.Column("code_verifier", sa.String(128), nullable=False),
        sa.Column("next_path", sa.String(2000), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False, index=True),
        sa.Column("used_at", sa.DateTime, nullable=True),
    )
    op.create_table(
        "connect_codes",
        sa.Column("code_hash", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("code_challenge", sa.String(128), nullable=False),
        sa.Column("redirect_uri", sa.String(300), nullable=False),
        sa.Column("expires_at", sa.DateTime, nullable=False, index=True),
        sa.Column("used_at", sa.DateTime, nullable=True),
    )
    op.create_table(
        "directory_groups",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("display_name", sa.String(60), nullable=False, unique=True),
        sa.Column("external_id", sa.String(200), nullable=True, unique=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "directory_members",
        sa.Column("group_id", sa.String(36),
                  sa.ForeignKey("directory_groups.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"),
                  primary_key=True, index=True),
    )


def downgrade():
    op.drop_table("directory_members")
    op.drop_table("directory_groups")
    op.drop_table("connect_codes")
    op.drop_table("oidc_requests")
    with op.batch_alter_table("users") as batch:
        batch.drop_constraint("uq_users_directory_id")
        batch.drop_constraint("uq_users_external_id")
        batch.drop_constraint("uq_users_oidc_subject")
        for column in ("updated_at", "employee_number", "display_name", "directory_id",
                       "external_id", "oidc_subject"):
            batch.drop_column(column)
