"""Signing in with the organisation's OpenID Connect provider: the authorization code flow, PKCE.

`begin` sends the browser to the provider with a one-time state, a nonce and an S256 PKCE
challenge, and keeps them server-side (oidc_requests), bound to a secret in the browser's session
cookie. `finish` takes the provider's answer once: the state must be unused, recent and from the
same browser; the code is exchanged with the verifier; the ID token's signature (the provider's
published keys), issuer, audience, expiry and nonce are checked. Its claims then name a user,
made on first sign-in, with email, groups and role from the claims (docs/integrations.md).
"""

import base64
import hashlib
import json
import re
import secrets
import threading
import time
import urllib.parse
from datetime import timedelta
from http.client import HTTPException

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from server.errors import ApiError
from server.integrations import http
from server.people.users import add_user, hash_token, set_groups
from server.storage.models import ROLES, DirectoryGroup, DirectoryMember, OidcRequest, User, now

REQUEST_MINUTES = 10  # how long the provider may take to send the browser back
LEEWAY_SECONDS = 60  # clock difference allowed with the provider
CACHE_SECONDS = 3600  # discovery document and keys, fetched again after this
MAX_ANSWER = 1 << 20
ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512",
              "EdDSA")  # asymmetric only: never "none", never a shared-secret HMAC


class SignInError(Exception):
    """The sign-in cannot go on; message says why in the person's words."""

    def __init__(self, message: str, status: int = 401):
        super().__init__(message)
        self.message, self.status = message, status


def enabled(cfg) -> bool:
    return bool(cfg["OIDC_ISSUER"] and cfg["OIDC_CLIENT_ID"])


def redirect_uri(cfg) -> str:
    return cfg["PUBLIC_URL"].rstrip("/") + "/console/oidc/callback"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def challenge(verifier: str) -> str:
    """RFC 7636 S256: the challenge a verifier answers."""
    return _b64(hashlib.sha256(verifier.encode("ascii")).digest())


# --- the provider: its discovery document and keys, cached -------------------------------------

_cache: dict[str, tuple[float, dict]] = {}
_cache_lock = threading.Lock()


def _http_json(cfg, url: str, form: dict | None = None, auth: tuple[str, str] | None = None):
    headers = {"Accept": "application/json", "User-Agent": "jitlearn"}
    data = None
    if form is not None:
        data = urllib.parse.urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    if auth:
        pair = f"{urllib.parse.quote(auth[0], safe='')}:{urllib.parse.quote(auth[1], safe='')}"
        headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
    try:
        answer = http.request(url, data=data, headers=headers, max_bytes=MAX_ANSWER,
                              timeout=float(cfg["FETCH_TIMEOUT"]),
                              deadline=float(cfg["FETCH_DEADLINE"]))
    except http.TooMuch as exc:
        raise SignInError(f"the sign-in service answered too much or too slowly ({exc})",
                          502) from None
    except (http.FetchError, OSError, HTTPException, ValueError) as exc:
        raise SignInError(f"the sign-in service could not be reached ({exc})", 502) from None
    if answer.status >= 400:
        try:
            detail = json.loads(answer.body)
        except ValueError:
            detail = {}
        if not isinstance(detail, dict):
            detail = {}
        reason = detail.get("error_description") or detail.get("error") or answer.status
        raise SignInError(f"the sign-in service refused: {reason}",
                          401 if form is not None else 502)
    try:
        value = json.loads(answer.body)
    except ValueError:
        value = None
    if not isinstance(value, dict):
        raise SignInError("the sign-in service answered something that is not JSON", 502)
    return value


def _cached(cfg, url: str, fresh: bool = False) -> dict:
    with _cache_lock:
        hit = _cache.get(url)
    if hit and not fresh and time.monotonic() - hit[0] < CACHE_SECONDS:
        return hit[1]
    value = _http_json(cfg, url)
    with _cache_lock:
        _cache[url] = (time.monotonic(), value)
    return value


def metadata(cfg) -> dict:
    """The provider's discovery document, checked to be the configured issuer's."""
    issuer = cfg["OIDC_ISSUER"].rstrip("/")
    meta = _cached(cfg, issuer + "/.well-known/openid-configuration")
    if str(meta.get("issuer", "")).rstrip("/") != issuer:
        raise SignInError(f"the provider at {issuer} calls itself {meta.get('issuer')!r}; "
                          "check JITLEARN_OIDC_ISSUER", 502)
    for field in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not isinstance(meta.get(field), str):
            raise SignInError(f"the provider's discovery document has no {field}", 502)
    return meta


def _keys(cfg, fresh: bool = False) -> KeySet:
    try:
        return KeySet.import_key_set(_cached(cfg, metadata(cfg)["jwks_uri"], fresh))
    except (JoseError, ValueError, TypeError, KeyError) as exc:
        raise SignInError(f"the provider's signing keys could not be read ({exc})", 502) from None


# --- the flow -----------------------------------------------------------------------------------

def begin(cfg, db: Session, browser: str, next_path: str) -> str:
    """The provider's authorization URL for a new sign-in from this browser."""
    meta = metadata(cfg)
    state, nonce, verifier = (secrets.token_urlsafe(32), secrets.token_urlsafe(32),
                              secrets.token_urlsafe(64))
    db.execute(delete(OidcRequest).where(
        OidcRequest.created_at < now() - timedelta(minutes=REQUEST_MINUTES * 6)))
    db.add(OidcRequest(state_hash=hash_token(state), browser_hash=hash_token(browser),
                       nonce=nonce, code_verifier=verifier, next_path=next_path[:2000]))
    db.commit()
    query = urllib.parse.urlencode({
        "response_type": "code", "client_id": cfg["OIDC_CLIENT_ID"],
        "redirect_uri": redirect_uri(cfg), "scope": cfg["OIDC_SCOPES"], "state": state,
        "nonce": nonce, "code_challenge": challenge(verifier), "code_challenge_method": "S256"})
    endpoint = meta["authorization_endpoint"]
    return endpoint + ("&" if "?" in endpoint else "?") + query


def finish(cfg, db: Session, browser: str, args) -> tuple[User, str]:
    """The signed-in user and where they were going, from the provider's redirect (args)."""
    if args.get("error"):  # only the code: the description is anyone's text in a link
        code = re.sub(r"[^a-z_]", "", str(args["error"]).lower())[:40] or "refused"
        raise SignInError(f"the sign-in service did not sign you in ({code})")
    state, code = args.get("state", ""), args.get("code", "")
    if not state or not code or len(state) > 200 or len(code) > 2000:
        raise SignInError("this sign-in answer is incomplete; start again", 400)
    pending = db.get(OidcRequest, hash_token(state))
    if pending is not None and pending.used_at is not None:
        raise SignInError("this sign-in answer was already used; start again", 400)
    if (pending is None or pending.browser_hash != hash_token(browser)
            or pending.created_at < now() - timedelta(minutes=REQUEST_MINUTES)):
        raise SignInError("this sign-in expired or was started elsewhere; start again", 400)
    taken = db.execute(update(OidcRequest).where(OidcRequest.state_hash == pending.state_hash,
                                                 OidcRequest.used_at.is_(None))
                       .values(used_at=now()))
    db.commit()
    if taken.rowcount != 1:
        raise SignInError("this sign-in answer was already used; start again", 400)
    meta = metadata(cfg)
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri(cfg),
            "code_verifier": pending.code_verifier, "client_id": cfg["OIDC_CLIENT_ID"]}
    secret = cfg["OIDC_CLIENT_SECRET"]
    tokens = _http_json(cfg, meta["token_endpoint"], form,
                        (cfg["OIDC_CLIENT_ID"], secret) if secret else None)
    claims = verify_id_token(cfg, tokens.get("id_token"), pending.nonce)
    return user_for_claims(cfg, db, claims), pending.next_path


def verify_id_token(cfg, id_token, nonce: str) -> dict:
    """The ID token's claims once its signature, issuer, audience, times and nonce hold."""
    if not isinstance(id_token, str) or not id_token or len(id_token) > 16_000:
        raise SignInError("the sign-in service sent no ID token")
    allowed = [a for a in metadata(cfg).get("id_token_signing_alg_values_supported", ["RS256"])
               if a in ALGORITHMS] or ["RS256"]
    try:
        try:
            token = jwt.decode(id_token, _keys(cfg), algorithms=allowed)
        except JoseError:  # perhaps the provider rotated its keys: read them again, once
            token = jwt.decode(id_token, _keys(cfg, fresh=True), algorithms=allowed)
    except (JoseError, ValueError) as exc:
        raise SignInError(f"the ID token's signature does not check out ({exc})") from None
    claims = token.claims
    issuer, client = cfg["OIDC_ISSUER"].rstrip("/"), cfg["OIDC_CLIENT_ID"]
    audience = claims.get("aud")
    audiences = [audience] if isinstance(audience, str) else audience
    if not isinstance(audiences, list) or client not in audiences:
        raise SignInError("the ID token was issued for another application (audience "
                          f"{audience!r}, not {client!r})")
    if len(audiences) > 1 and claims.get("azp") != client:
        raise SignInError("the ID token names several audiences but not us as its holder")
    if str(claims.get("iss", "")).rstrip("/") != issuer:
        raise SignInError(f"the ID token comes from {claims.get('iss')!r}, not {issuer!r}")
    moment = time.time()
    expiry, issued = claims.get("exp"), claims.get("iat")
    if not isinstance(expiry, int | float) or expiry + LEEWAY_SECONDS < moment:
        raise SignInError("the ID token has expired; sign in again")
    if not isinstance(issued, int | float) or issued - LEEWAY_SECONDS > moment:
        raise SignInError("the ID token is dated in the future; check the clocks")
    if not isinstance(claims.get("nonce"), str) or not secrets.compare_digest(
            claims["nonce"], nonce):
        raise SignInError("the ID token does not answer this sign-in (nonce)")
    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise SignInError("the ID token names no subject")
    return claims


# --- claims to a user ---------------------------------------------------------------------------

def _provisioned(cfg, db: Session, claims: dict, names: list[str]) -> User | None:
    """An unlinked account an admin or the directory set up for this identity, if any."""
    unlinked = select(User).where(User.oidc_subject.is_(None))
    by_directory = db.scalar(unlinked.where(User.external_id == str(claims["sub"])[:200]))
    if by_directory is None and names:  # SCIM-provisioned: the directory's own user name
        by_directory = db.scalar(unlinked.where(User.name == names[0],
                                                User.external_id.is_not(None)))
    if by_directory is not None:
        return by_directory
    email = claims.get("email")
    if _on(cfg["OIDC_LINK_VERIFIED_EMAIL"]) and claims.get("email_verified") is True \
            and isinstance(email, str) and email.strip():
        found = db.scalars(unlinked.where(User.email == email.strip()[:200])).all()
        return found[0] if len(found) == 1 else None  # two accounts, one email: ask an admin
    return None


def _on(value) -> bool:
    return value is True or str(value).strip().lower() in ("1", "true", "yes", "on")


def role_groups(cfg) -> dict[str, str]:
    """JITLEARN_OIDC_ROLE_GROUPS "admin=it-admins,ld=learning" as {group: role}."""
    mapping = {}
    for pair in str(cfg["OIDC_ROLE_GROUPS"]).split(","):
        role, _, group = pair.partition("=")
        if role.strip() in ROLES and group.strip():
            mapping[group.strip().lower()] = role.strip()
    return mapping


def _groups(value) -> list[str] | None:
    if not isinstance(value, list):
        return None
    named = (g.strip().lower() for g in value if isinstance(g, str) and 0 < len(g.strip()) <= 60)
    return sorted(list(dict.fromkeys(named))[:200])


def subject_of(issuer: str, sub: str) -> str:
    """How an identity is stored on its account: the issuer and the provider's subject."""
    return f"{issuer.rstrip('/')}|{sub}"[:600]


def user_for_claims(cfg, db: Session, claims: dict) -> User:
    """The user these verified claims name, linked only by issuer and subject.

    A first sign-in is linked to an existing account only where an admin said it is this
    identity's: the directory provisioned it (SCIM: same user name or externalId = subject, not
    yet linked), `jitlearn users link` set its subject, or the provider verified the account's
    email and JITLEARN_OIDC_LINK_VERIFIED_EMAIL allows linking by it. A provider whose users
    choose their own user name must never reach a local admin of the same name.
    """
    subject = subject_of(claims["iss"], claims["sub"])
    names = [claims.get(cfg["OIDC_USERNAME_CLAIM"]), claims.get("email"), claims["sub"]]
    names = [n.strip()[:100] for n in names if isinstance(n, str) and n.strip()]
    user = db.scalar(select(User).where(User.oidc_subject == subject)) or \
        _provisioned(cfg, db, claims, names)
    if user is None:
        if not cfg["OIDC_CREATE_USERS"] or cfg["OIDC_CREATE_USERS"] in ("0", "false"):
            raise SignInError("there is no jitlearn account for you yet; ask an admin", 403)
        if names and db.scalar(select(User.id).where(User.name == names[0],
                                                     User.oidc_subject.is_(None))):
            raise SignInError(f"an account named {names[0]!r} already exists and is not linked "
                              "to your sign-in; ask an admin to link it", 409)
        free = [n for n in names if db.scalar(select(User.id).where(User.name == n)) is None]
        if not free:
            raise SignInError("your user name is taken by another account; ask an admin", 409)
        try:
            user = add_user(db, free[0])
        except ApiError as exc:
            raise SignInError(exc.message, 403) from None
    if not user.active:
        raise SignInError("this account is deactivated; ask an admin", 403)
    user.oidc_subject = subject
    if isinstance(claims.get("email"), str) and 3 <= len(claims["email"]) <= 200 \
            and claims.get("email_verified") is not False:
        user.email = claims["email"]
    if isinstance(claims.get("name"), str):
        user.display_name = claims["name"].strip()[:200]
    groups = _groups(claims.get(cfg["OIDC_GROUPS_CLAIM"]))
    if groups is not None:
        provisioned = db.scalars(select(DirectoryGroup.display_name).join(DirectoryMember).where(
            DirectoryMember.user_id == user.id))  # SCIM's groups stay: the directory set them
        set_groups(user, [*groups, *provisioned])
        mapping = role_groups(cfg)
        if mapping:  # the provider decides roles: the highest one a group gives, else employee
            given = {mapping[g] for g in groups if g in mapping}
            user.role = max(given, key=ROLES.index) if given else "employee"
    db.commit()
    return user
