"""The library's records: policy versions, sources, L&D's tags, taxonomy and rule versions."""

from datetime import datetime

from sqlalchemy import JSON, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from server.storage.models.base import Base, now


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


SOURCE_KINDS = ("folder", "feed", "sitemap", "opportunities")  # the last: an HR system's feed


class Source(Base):
    """Where content comes from and how often it is synced; the status of the last sync."""

    __tablename__ = "sources"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)  # prefixes every document id
    kind: Mapped[str] = mapped_column(String(20))  # SOURCE_KINDS
    location: Mapped[str] = mapped_column(String(2000))  # a path or an http(s) URL
    every_minutes: Mapped[int] = mapped_column(default=60)
    # a folder's documents without an address of their own: "https://handbook.example.com/{path}"
    url_template: Mapped[str] = mapped_column(String(500), default="")
    reread: Mapped[bool] = mapped_column(default=False)  # next sync reads every file again
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


class RuleVersion(Base):
    """One version of the taxonomy and the topic rules: a draft, the published one, or retired.

    The texts are the files' own formats (YAML, JSONL), so a version can be read, diffed and
    exported as is.
    """

    __tablename__ = "rule_versions"
    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(20), default="draft")  # draft|published|retired
    taxonomy: Mapped[str] = mapped_column(Text)
    rules: Mapped[str] = mapped_column(Text)
    note: Mapped[str] = mapped_column(String(500), default="")
    based_on: Mapped[int | None] = mapped_column(default=None)
    created_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(default=now)
    published_by: Mapped[str | None] = mapped_column(String(100), default=None)
    published_at: Mapped[datetime | None] = mapped_column(default=None)
