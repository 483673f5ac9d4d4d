"""Signing in: one-time login links, console sessions, OpenID Connect requests, extension codes."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from server.storage.models.base import Base, now


class LoginLink(Base):
    """A one-time sign-in link (printed by `jitlearn users add`); only its hash is stored."""

    __tablename__ = "login_links"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column()
    used_at: Mapped[datetime | None] = mapped_column(default=None)


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
