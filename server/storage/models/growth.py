"""Growth beyond documents: stretch opportunities (projects, gigs, shadowing, mentoring) and the
colleagues who said they may be asked about a skill."""

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.storage.models.base import Base, now

OPPORTUNITY_KINDS = ("project", "gig", "shadowing", "mentoring", "cycle", "other")
OPPORTUNITY_STATES = ("open", "filled", "closed")  # only open ones are ever shown
INTEREST_STATES = ("interested", "accepted")


class Opportunity(Base):
    """Something to take part in that builds skills: "Join the FY27 budgeting cycle"."""

    __tablename__ = "opportunities"
    __table_args__ = (UniqueConstraint("source", "external_id"),
                      Index("ix_opportunities_state", "state"))
    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(60), default="")  # a feed's name; "" by hand
    external_id: Mapped[str | None] = mapped_column(String(200), default=None)  # the feed's id
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(20), default="project")
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None)
    skills: Mapped[list] = mapped_column(JSON, default=list)  # skill ids it builds
    open_until: Mapped[date | None] = mapped_column(default=None)  # last day to say interested
    starts: Mapped[date | None] = mapped_column(default=None)
    ends: Mapped[date | None] = mapped_column(default=None)
    hours_per_week: Mapped[float | None] = mapped_column(default=None)
    places: Mapped[list] = mapped_column(JSON, default=list)  # "Remote", "Berlin", ...
    audience: Mapped[list] = mapped_column(JSON, default=list)  # groups; empty: everyone
    state: Mapped[str] = mapped_column(String(10), default="open")
    created_at: Mapped[datetime] = mapped_column(default=now)
    updated_at: Mapped[datetime] = mapped_column(default=now, onupdate=now)


class OpportunityInterest(Base):
    """A person said "I'm interested"; only the opportunity's owner sees who, and may accept."""

    __tablename__ = "opportunity_interest"
    opportunity_id: Mapped[int] = mapped_column(
        ForeignKey("opportunities.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True, index=True)
    state: Mapped[str] = mapped_column(String(12), default="interested")
    note: Mapped[str] = mapped_column(Text, default="")  # a line to the owner, optional
    created_at: Mapped[datetime] = mapped_column(default=now)
    decided_at: Mapped[datetime | None] = mapped_column(default=None)


class Expertise(Base):
    """A person may be asked about a skill, by their own choice (withdrawn by deleting it), and
    shows the evidence they chose: their rating, their role, the documents they own."""

    __tablename__ = "expertise"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    skill_id: Mapped[str] = mapped_column(ForeignKey("skills.id", ondelete="CASCADE"),
                                          primary_key=True, index=True)
    show: Mapped[dict] = mapped_column(JSON, default=dict)  # {"rating", "role", "documents"}
    created_at: Mapped[datetime] = mapped_column(default=now)
