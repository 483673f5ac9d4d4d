"""Tables: people, their API tokens, what was suggested (ids and topics only) and feedback."""

import uuid
from datetime import UTC, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

ROLES = ("employee", "manager", "ld", "admin")
# what an API token may do: everything its person may, only read (GET), or only SCIM provisioning
TOKEN_SCOPES = ("full", "read", "scim")
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


# --- career data: occupations, skills, what each occupation needs (O*NET, ESCO, the org's own) ---

class Occupation(Base):
    """A role people hold or aim for: an O*NET or ESCO occupation, or one of the organisation's."""

    __tablename__ = "occupations"
    id: Mapped[str] = mapped_column(String(200), primary_key=True)  # "onet:15-1252.00", ...
    source: Mapped[str] = mapped_column(String(20))  # onet | esco | org
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    job_zone: Mapped[int | None] = mapped_column(default=None)  # O*NET 1-5; org: its level


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


class RelatedOccupation(Base):
    """Where people in an occupation go next, closest first."""

    __tablename__ = "related_occupations"
    occupation_id: Mapped[str] = mapped_column(
        ForeignKey("occupations.id", ondelete="CASCADE"), primary_key=True)
    related_id: Mapped[str] = mapped_column(
        ForeignKey("occupations.id", ondelete="CASCADE"), primary_key=True)
    rank: Mapped[int] = mapped_column(default=1)  # 1 is the closest
    tier: Mapped[str] = mapped_column(String(30), default="")  # O*NET Primary-Short, ...


# --- people: their own profile, skill ratings with provenance, feedback from others -----------

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


class LoginLink(Base):
    """A one-time sign-in link (printed by `jitlearn users add`); only its hash is stored."""

    __tablename__ = "login_links"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column()
    used_at: Mapped[datetime | None] = mapped_column(default=None)


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


class ConsoleSession(Base):
    """A console sign-in, kept on the server: the cookie holds only a random id, whose hash is
    the key here. Ending a session (sign-out, a new password, a role change, deactivation)
    deletes its row, and a copied cookie then opens nothing."""

    __tablename__ = "console_sessions"
    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), default=None, index=True)
    data: Mapped[dict] = mapped_column(JSON, default=dict)  # CSRF token, flashed messages, ...
    created_at: Mapped[datetime] = mapped_column(default=now, index=True)


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


class OidcRequest(Base):
    """A sign-in sent to the identity provider and not yet back: answered once, within minutes,
    in the browser that started it."""

    __tablename__ = "oidc_requests"
    state_hash: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of state
    browser_hash: Mapped[str] = mapped_column(String(64))  # of a secret in the session cookie
    nonce: Mapped[str] = mapped_column(String(100))
    code_verifier: Mapped[str] = mapped_column(String(128))  # PKCE
    next_path: Mapped[str] = mapped_column(String(2000), default="")
    created_at: Mapped[datetime] = mapped_column(default=now, index=True)
    used_at: Mapped[datetime | None] = mapped_column(default=None)


class ConnectCode(Base):
    """A one-time code that hands the browser extension a token (PKCE: only the extension that
    asked, holding the verifier, can redeem it)."""

    __tablename__ = "connect_codes"
    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    code_challenge: Mapped[str] = mapped_column(String(128))
    redirect_uri: Mapped[str] = mapped_column(String(300))
    expires_at: Mapped[datetime] = mapped_column(index=True)
    used_at: Mapped[datetime | None] = mapped_column(default=None)


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
