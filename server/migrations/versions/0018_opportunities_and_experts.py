"""Stretch opportunities, who is interested in them, and who may be asked about a skill.

Revision ID: 0018
Revises: 0017
"""
import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "opportunities",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("source", sa.String(60), nullable=False, server_default=""),
        sa.Column("external_id", sa.String(200), nullable=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("description", sa.Text, nullable=False, server_default=""),
        sa.Column("kind", sa.String(20), nullable=False, server_default="project"),
        sa.Column("owner_id", sa.Integer, sa.ForeignKey("users.id", ondelete="SET NULL"),
                  nullable=True),
        sa.Column("skills", sa.JSON, nullable=False),
        sa.Column("open_until", sa.Date, nullable=True),
        sa.Column("starts", sa.Date, nullable=True),
        sa.Column("ends", sa.Date, nullable=True),
        sa.Column("hours_per_week", sa.Float, nullable=True),
        sa.Column("places", sa.JSON, nullable=False),
        sa.Column("audience", sa.JSON, nullable=False),
        sa.Column("state", sa.String(10), nullable=False, server_default="open"),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("source", "external_id"),
    )
    op.create_index("ix_opportunities_state", "opportunities", ["state"])
    op.create_table(
        "opportunity_interest",
        sa.Column("opportunity_id", sa.Integer,
                  sa.ForeignKey("opportunities.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("state", sa.String(12), nullable=False, server_default="interested"),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("decided_at", sa.DateTime, nullable=True),
    )
    op.create_index("ix_opportunity_interest_user_id", "opportunity_interest", ["user_id"])
    op.create_table(
        "expertise",
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("skill_id", sa.String(200), sa.ForeignKey("skills.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("show", sa.JSON, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_expertise_skill_id", "expertise", ["skill_id"])


def downgrade():
    op.drop_table("expertise")
    op.drop_table("opportunity_interest")
    op.drop_table("opportunities")
