"""Tables: people, their API tokens, what was suggested (ids and topics only) and feedback."""

from datetime import UTC, datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

ROLES = ("employee", "manager", "ld", "admin")
ACTIONS = ("helpful", "not_relevant", "dismissed", "opened", "completed", "snoozed",
           "acknowledged")
# never show the item again for that topic: it does not fit, or the person is done with it
SUPPRESSING = ("not_relevant", "dismissed", "completed")
# "acknowledged" hides a mandatory item only while its content stays the version acknowledged
SNOOZE_DAYS = 7  # "snoozed" hides the item for that topic this long


def now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    email: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20), default="employee")
    pseudonym: Mapped[str] = mapped_column(String(32), unique=True)  # for logs and analytics
    groups: Mapped[list] = mapped_column(JSON, default=list)  # audience groups: "finance", ...

    def memberships(self) -> set[str]:
        """Audience groups this person belongs to, for content restricted to groups."""
        return {str(g).lower() for g in self.groups or []}
    created_at: Mapped[datetime] = mapped_column(default=now)


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


class SuggestionEvent(Base):
    """One answered request: derived topic ids and shown content ids, never the context text."""

    __tablename__ = "suggestion_events"
    request_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=now, index=True)
    topics: Mapped[list] = mapped_column(JSON, default=list)
    shown: Mapped[list] = mapped_column(JSON, default=list)


class Feedback(Base):
    __tablename__ = "feedback"
    __table_args__ = (Index("ix_feedback_user_action", "user_id", "action"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    request_id: Mapped[str] = mapped_column(String(32))
    content_id: Mapped[str] = mapped_column(String(500))
    action: Mapped[str] = mapped_column(String(20))
    topics: Mapped[list] = mapped_column(JSON, default=list)  # the request's topics
    content_hash: Mapped[str] = mapped_column(String(64), default="")  # the version seen
    created_at: Mapped[datetime] = mapped_column(default=now)


class ContentVersion(Base):
    """Each version of a policy that entered the index; acknowledgments point at one."""

    __tablename__ = "content_versions"
    __table_args__ = (Index("ix_content_versions_content", "content_id", "version", unique=True),)
    id: Mapped[int] = mapped_column(primary_key=True)
    content_id: Mapped[str] = mapped_column(String(500))
    version: Mapped[int] = mapped_column()
    content_hash: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=now)


SOURCE_KINDS = ("folder", "feed", "sitemap")


class Source(Base):
    """Where content comes from and how often it is synced; the status of the last sync."""

    __tablename__ = "sources"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)  # prefixes every document id
    kind: Mapped[str] = mapped_column(String(20))  # folder | feed | sitemap
    location: Mapped[str] = mapped_column(String(2000))  # a path or an http(s) URL
    every_minutes: Mapped[int] = mapped_column(default=60)
    created_at: Mapped[datetime] = mapped_column(default=now)
    last_run_at: Mapped[datetime | None] = mapped_column(default=None)
    last_status: Mapped[str] = mapped_column(String(20), default="never")  # ok | failed | ...
    last_counts: Mapped[dict] = mapped_column(JSON, default=dict)
    last_failures: Mapped[list] = mapped_column(JSON, default=list)  # [[item, reason], ...]


class ContentTags(Base):
    """What L&D set on one document over its source and the auto-tagger (index/tags.py).

    Kept here, not only in the index, so that a re-sync of the item re-applies it and a rebuilt
    index gets it back.
    """

    __tablename__ = "content_tags"
    content_id: Mapped[str] = mapped_column(String(500), primary_key=True)
    fields: Mapped[dict] = mapped_column(JSON, default=dict)  # field -> value, as JSON keeps it
    updated_by: Mapped[str] = mapped_column(String(100), default="")  # the user's name
    updated_at: Mapped[datetime] = mapped_column(default=now)
