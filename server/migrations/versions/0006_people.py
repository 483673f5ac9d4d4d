"""Career data (occupations, skills, what each needs, related occupations) and people's
profiles, skill ratings and feedback; users get a manager (the reporting line).

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "occupations",
        sa.Column("id", sa.String(200), primary_key=True),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("job_zone", sa.Integer),
    )
    op.create_table(
        "occupation_titles",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("occupation_id", sa.String(200),
                  sa.ForeignKey("occupations.id", ondelete="CASCADE"), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("key", sa.String(300), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
    )
    op.create_index("ix_occupation_titles_key", "occupation_titles", ["key"])
    op.create_index("ix_occupation_titles_occupation_id", "occupation_titles", ["occupation_id"])
    op.create_table(
        "skills",
        sa.Column("id", sa.String(200), primary_key=True),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("key", sa.String(300), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("hot", sa.Boolean, nullable=False),
        sa.Column("in_demand", sa.Boolean, nullable=False),
        sa.Column("flagged", sa.Boolean, nullable=False),
    )
    op.create_index("ix_skills_key", "skills", ["key"])
    op.create_table(
        "occupation_skills",
        sa.Column("occupation_id", sa.String(200),
                  sa.ForeignKey("occupations.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("skill_id", sa.String(200), sa.ForeignKey("skills.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("importance", sa.Float, nullable=False),
        sa.Column("level", sa.Float, nullable=False),
        sa.Column("in_demand", sa.Boolean, nullable=False),
    )
    op.create_index("ix_occupation_skills_skill_id", "occupation_skills", ["skill_id"])
    op.create_table(
        "related_occupations",
        sa.Column("occupation_id", sa.String(200),
                  sa.ForeignKey("occupations.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("related_id", sa.String(200),
                  sa.ForeignKey("occupations.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("rank", sa.Integer, nullable=False),
        sa.Column("tier", sa.String(30), nullable=False),
    )
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("manager_id", sa.Integer, nullable=True))
        batch.create_foreign_key("fk_users_manager", "users", ["manager_id"], ["id"],
                                 ondelete="SET NULL")
    op.create_table(
        "profiles",
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("current_title", sa.String(200), nullable=False),
        sa.Column("occupation_id", sa.String(200),
                  sa.ForeignKey("occupations.id", ondelete="SET NULL")),
        sa.Column("department", sa.String(100), nullable=False),
        sa.Column("location", sa.String(100), nullable=False),
        sa.Column("target_roles", sa.JSON, nullable=False),
        sa.Column("goals", sa.JSON, nullable=False),
        sa.Column("languages", sa.JSON, nullable=False),
        sa.Column("privacy", sa.JSON, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "skill_ratings",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("skill_id", sa.String(200), sa.ForeignKey("skills.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("level", sa.Integer, nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("rater_id", sa.Integer, sa.ForeignKey("users.id", ondelete="SET NULL")),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_skill_ratings_user", "skill_ratings", ["user_id", "skill_id"])
    op.create_table(
        "person_feedback",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("subject_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("author_id", sa.Integer, sa.ForeignKey("users.id", ondelete="SET NULL")),
        sa.Column("relation", sa.String(20), nullable=False),
        sa.Column("skills", sa.JSON, nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("shared", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_person_feedback_subject_id", "person_feedback", ["subject_id"])
    op.create_table(
        "feedback_requests",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("subject_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("peer_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )


def downgrade():
    for table in ("feedback_requests", "person_feedback", "skill_ratings", "profiles"):
        op.drop_table(table)
    with op.batch_alter_table("users") as batch:
        batch.drop_constraint("fk_users_manager", type_="foreignkey")
        batch.drop_column("manager_id")
    for table in ("related_occupations", "occupation_skills", "skills", "occupation_titles",
                  "occupations"):
        op.drop_table(table)
