"""People: users, their tokens, profiles, skill ratings, feedback, and the directory's groups."""

import uuid
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from server.storage.models.base import Base, now

ROLES = ("employee", "manager", "ld", "admin")
# what an API token may do: everything its person may, only read (GET), or only SCIM provisioning
TOKEN_SCOPES = ("full", "read", "scim")


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    email: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20), default="employee")
    pseudonym: Mapped[str] = mapped_column(String(32), unique=True)  # for logs and analytics
    groups: Mapped[list] = mapped_column(JSON, default=list)  # audience groups: "finance", ...
    manager_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None)  # the reporting line
    password_hash: Mapped[str | None] = mapped_column(String(300), default=None)  # scrypt
    active: Mapped[bool] = mapped_column(default=True)  # deactivated users cannot sign in
    # from the organisation's directory (docs/integrations.md): the identity provider's
    # "issuer subject" for OIDC sign-in, and what SCIM provisioning sets
    oidc_subject: Mapped[str | None] = mapped_column(String(600), unique=True, default=None)
    external_id: Mapped[str | None] = mapped_column(String(200), unique=True, default=None)
    directory_id: Mapped[str] = mapped_column(String(36), unique=True,  # SCIM's id: a UUID
                                              default=lambda: str(uuid.uuid4()))
    display_name: Mapped[str] = mapped_column(String(200), default="")
    employee_number: Mapped[str] = mapped_column(String(100), default="")

    def memberships(self) -> set[str]:
        """Audience groups this person belongs to, for content restricted to groups."""
        return {str(g).lower() for g in self.groups or []}
    created_at: Mapped[datetime] = mapped_column(default=now)
    updated_at: Mapped[datetime] = mapped_column(default=now, onupdate=now)  # SCIM lastModified


class ApiToken(Base):
    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256; never the token
    prefix: Mapped[str] = mapped_column(String(12))  # first characters, to recognise it in lists
    created_at: Mapped[datetime] = mapped_column(default=now)
    last_used_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    expires_at: Mapped[datetime | None] = mapped_column(default=None)  # None: until revoked
    scope: Mapped[str] = mapped_column(String(20), default="full")  # TOKEN_SCOPES


class Profile(Base):
    """What a person tells jitlearn about themselves; they see, edit, export and delete it."""

    __tablename__ = "profiles"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    current_title: Mapped[str] = mapped_column(String(200), default="")  # in their own words
    occupation_id: Mapped[str | None] = mapped_column(
        ForeignKey("occupations.id", ondelete="SET NULL"), default=None)  # what it matched
    department: Mapped[str] = mapped_column(String(100), default="")
    location: Mapped[str] = mapped_column(String(100), default="")
    target_roles: Mapped[list] = mapped_column(JSON, default=list)  # occupation ids
    goals: Mapped[list] = mapped_column(JSON, default=list)  # learning goals, their words
    languages: Mapped[list] = mapped_column(JSON, default=list)
    privacy: Mapped[dict] = mapped_column(JSON, default=dict)  # see server/profiles.PRIVACY
    updated_at: Mapped[datetime] = mapped_column(default=now)


class SkillRating(Base):
    """A level on the proficiency scale, and who said so: self, manager, peer or assessment."""

    __tablename__ = "skill_ratings"
    __table_args__ = (Index("ix_skill_ratings_user", "user_id", "skill_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    skill_id: Mapped[str] = mapped_column(ForeignKey("skills.id", ondelete="CASCADE"))
    level: Mapped[int] = mapped_column()
    source: Mapped[str] = mapped_column(String(20))  # self | manager | peer | assessment
    rater_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None)
    created_at: Mapped[datetime] = mapped_column(default=now)


class PersonFeedback(Base):
    """A manager's or peer's view of skills a person should focus on; the person sees all of it."""

    __tablename__ = "person_feedback"
    id: Mapped[int] = mapped_column(primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                            index=True)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None)
    relation: Mapped[str] = mapped_column(String(20))  # manager | peer
    skills: Mapped[list] = mapped_column(JSON, default=list)  # skill ids to focus on
    note: Mapped[str] = mapped_column(Text, default="")
    shared: Mapped[bool] = mapped_column(default=False)  # the manager chain may read it too
    created_at: Mapped[datetime] = mapped_column(default=now)


class FeedbackRequest(Base):
    """A person asked a peer for feedback: only then may that peer give it."""

    __tablename__ = "feedback_requests"
    id: Mapped[int] = mapped_column(primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    peer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=now)


class DirectoryGroup(Base):
    """A group the organisation's directory provisions over SCIM; its name is an audience group
    in each member's User.groups."""

    __tablename__ = "directory_groups"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # a UUID, SCIM's "id"
    display_name: Mapped[str] = mapped_column(String(60), unique=True)
    external_id: Mapped[str | None] = mapped_column(String(200), unique=True, default=None)
    created_at: Mapped[datetime] = mapped_column(default=now)
    updated_at: Mapped[datetime] = mapped_column(default=now)


class DirectoryMember(Base):
    __tablename__ = "directory_members"
    group_id: Mapped[str] = mapped_column(
        ForeignKey("directory_groups.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
