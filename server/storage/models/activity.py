"""What happened: suggestions shown and feedback on them, the audit trail, job runs, rate
counts and learning records waiting for the LRS."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from server.storage.models.base import Base, now

ACTIONS = ("helpful", "not_relevant", "dismissed", "opened", "completed", "snoozed",
           "acknowledged")
# never show the item again for that topic: it does not fit, or the person is done with it
SUPPRESSING = ("not_relevant", "dismissed", "completed")
# "acknowledged" hides a mandatory item only while its content stays the version acknowledged
SNOOZE_DAYS = 7  # "snoozed" hides the item for that topic this long


class SuggestionEvent(Base):
    """One answered request: derived topic ids and shown content ids, never the context text."""

    __tablename__ = "suggestion_events"
    request_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=now, index=True)
    topics: Mapped[list] = mapped_column(JSON, default=list)
    shown: Mapped[list] = mapped_column(JSON, default=list)
    rules: Mapped[list] = mapped_column(JSON, default=list)  # ids of the topic rules that fired


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


class AuditEntry(Base):
    """Who did what that matters to security, when and from where (server/storage/audit.py)."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=now, index=True)
    actor: Mapped[str] = mapped_column(String(100))  # a user name, "cli", "scim:<name>", ...
    action: Mapped[str] = mapped_column(String(50), index=True)
    target: Mapped[str] = mapped_column(String(500), default="")
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    address: Mapped[str] = mapped_column(String(64), default="")  # the client's; "" from the CLI


class JobRun(Base):
    """One run of a background job: which, when, by which process, and how it ended."""

    __tablename__ = "job_runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(200), index=True)
    runner: Mapped[str] = mapped_column(String(200))  # host:pid of the scheduling process
    started_at: Mapped[datetime] = mapped_column(default=now, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
    status: Mapped[str] = mapped_column(String(20), default="running")  # running|ok|failed
    detail: Mapped[str] = mapped_column(String(500), default="")


class RateCount(Base):
    """Requests counted in one one-minute window, summed over every serving process."""

    __tablename__ = "rate_counts"
    kind: Mapped[str] = mapped_column(String(10), primary_key=True)  # ip | token | login
    key: Mapped[str] = mapped_column(String(64), primary_key=True)  # an address, a token's hash
    win: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)  # minutes since 1970
    count: Mapped[int] = mapped_column(default=0)


class XapiOutbox(Base):
    """An xAPI statement waiting for (or delivered to) the LRS; see server/integrations/xapi.py."""

    __tablename__ = "xapi_outbox"
    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[str] = mapped_column(String(36), unique=True)  # stable: from the event
    statement: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=now)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=now, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(default=None, index=True)
    rejected: Mapped[bool] = mapped_column(default=False)  # the LRS called it malformed (400)
    last_error: Mapped[str] = mapped_column(String(500), default="")
