"""Career data: occupations, their titles, skills, what each occupation needs, and where it leads
(O*NET, ESCO, the organisation's own roles)."""

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from server.storage.models.base import Base


class Occupation(Base):
    """A role people hold or aim for: an O*NET or ESCO occupation, or one of the organisation's."""

    __tablename__ = "occupations"
    id: Mapped[str] = mapped_column(String(200), primary_key=True)  # "onet:15-1252.00", ...
    source: Mapped[str] = mapped_column(String(20))  # onet | esco | org
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    job_zone: Mapped[int | None] = mapped_column(default=None)  # O*NET 1-5; org: its level
    # an ESCO occupation: the O*NET occupation it is, by its names (career/imports/common.link)
    same_as: Mapped[str | None] = mapped_column(String(200), default=None, index=True)


class OccupationTitle(Base):
    """Every name an occupation goes by (its title, alternate and reported titles), for matching."""

    __tablename__ = "occupation_titles"
    __table_args__ = (Index("ix_occupation_titles_key", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    occupation_id: Mapped[str] = mapped_column(
        ForeignKey("occupations.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    key: Mapped[str] = mapped_column(String(300))  # normalised: lower case, abbreviations spelt
    kind: Mapped[str] = mapped_column(String(20))  # title | alternate | reported | short


class Skill(Base):
    """A skill, knowledge area or technology; content names it in its skills (by name)."""

    __tablename__ = "skills"
    __table_args__ = (Index("ix_skills_key", "key"),)
    id: Mapped[str] = mapped_column(String(200), primary_key=True)  # "onet:2.A.1.a", ...
    source: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(300))
    key: Mapped[str] = mapped_column(String(300))  # lower-case name: how content refers to it
    kind: Mapped[str] = mapped_column(String(20))  # skill | knowledge | technology
    description: Mapped[str] = mapped_column(Text, default="")
    hot: Mapped[bool] = mapped_column(default=False)  # O*NET "Hot Technology"
    in_demand: Mapped[bool] = mapped_column(default=False)  # in demand for some occupation
    flagged: Mapped[bool] = mapped_column(default=False)  # an admin marked it in demand


class OccupationSkill(Base):
    """What an occupation needs of a skill: importance and level, both scaled to 0..1."""

    __tablename__ = "occupation_skills"
    occupation_id: Mapped[str] = mapped_column(
        ForeignKey("occupations.id", ondelete="CASCADE"), primary_key=True)
    skill_id: Mapped[str] = mapped_column(
        ForeignKey("skills.id", ondelete="CASCADE"), primary_key=True, index=True)
    importance: Mapped[float] = mapped_column(default=0.5)
    level: Mapped[float] = mapped_column(default=0.5)
    in_demand: Mapped[bool] = mapped_column(default=False)  # O*NET: in demand for this one


class OccupationTask(Base):
    """What people in an occupation do (O*NET's task statements): a manager's role is hiring
    and budgets as much as skills, and duties new to a person are gaps of their own."""

    __tablename__ = "occupation_tasks"
    occupation_id: Mapped[str] = mapped_column(
        ForeignKey("occupations.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(primary_key=True)  # the source's order
    text: Mapped[str] = mapped_column(Text)
    core: Mapped[bool] = mapped_column(default=True)  # O*NET: Core, not Supplemental


class RelatedOccupation(Base):
    """Where people in an occupation go next, closest first."""

    __tablename__ = "related_occupations"
    occupation_id: Mapped[str] = mapped_column(
        ForeignKey("occupations.id", ondelete="CASCADE"), primary_key=True)
    related_id: Mapped[str] = mapped_column(
        ForeignKey("occupations.id", ondelete="CASCADE"), primary_key=True)
    rank: Mapped[int] = mapped_column(default=1)  # 1 is the closest
    tier: Mapped[str] = mapped_column(String(30), default="")  # O*NET Primary-Short, ...
