"""The ID token checks, one by one, on tokens made here with real keys.

The provider's discovery document and keys are given to the cache directly instead of fetched:
tests/e2e/test_oidc.py runs the whole flow against a real provider process; this file covers
what that provider cannot be made to send (another key's signature, "none", a future iat).
"""

import base64
import json
import time

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, OctKey, RSAKey

from server.integrations import oidc

ISSUER, CLIENT = "https://login.example.com", "jitlearn"
KEY = RSAKey.generate_key(2048, parameters={"kid": "k1"})
OTHER = RSAKey.generate_key(2048, parameters={"kid": "k1"})  # same kid, another key
SHARED = OctKey.import_key(b"a shared secret of thirty-two bytes!")
CFG = {"OIDC_ISSUER": ISSUER, "OIDC_CLIENT_ID": CLIENT, "FETCH_TIMEOUT": 1}


@pytest.fixture(autouse=True)
def provider(monkeypatch):
    documents = {
        ISSUER + "/.well-known/openid-configuration": {
            "issuer": ISSUER, "authorization_endpoint": ISSUER + "/auth",
            "token_endpoint": ISSUER + "/token", "jwks_uri": ISSUER + "/jwks",
            "id_token_signing_alg_values_supported": ["RS256", "none", "HS256"]},
        ISSUER + "/jwks": KeySet([KEY]).as_dict(private=False)}
    monkeypatch.setattr(oidc, "_cached", lambda cfg, url, fresh=False: documents[url])


def token(key=KEY, alg="RS256", **changes) -> str:
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": CLIENT, "sub": "s1", "iat": now, "exp": now + 300,
              "nonce": "n1", **changes}
    claims = {k: v for k, v in claims.items() if v is not None}
    return jwt.encode({"alg": alg, "kid": "k1"}, claims, key)


def unsigned(**claims) -> str:
    part = lambda d: base64.urlsafe_b64encode(json.dumps(d).encode()).rstrip(b"=").decode()  # noqa: E731
    now = int(time.time())
    return part({"alg": "none"}) + "." + part({"iss": ISSUER, "aud": CLIENT, "sub": "s1",
                                               "iat": now, "exp": now + 300, "nonce": "n1",
                                               **claims}) + "."


def test_a_good_token_gives_its_claims():
    assert oidc.verify_id_token(CFG, token(), "n1")["sub"] == "s1"
    assert oidc.verify_id_token(CFG, token(aud=[CLIENT, "api"], azp=CLIENT), "n1")["sub"] == "s1"


@pytest.mark.parametrize("made,words", [
    (lambda: token(key=OTHER), "signature"),
    (lambda: unsigned(), "signature"),
    (lambda: token(key=SHARED, alg="HS256"), "signature"),  # HMAC: never, whatever it says
    (lambda: token(aud="someone-else"), "another application"),
    (lambda: token(aud=[CLIENT, "api"]), "several audiences"),
    (lambda: token(iss="https://evil.example.com"), "comes from"),
    (lambda: token(exp=int(time.time()) - 120), "expired"),
    (lambda: token(exp=None), "expired"),
    (lambda: token(iat=int(time.time()) + 3600), "future"),
    (lambda: token(nonce="another"), "nonce"),
    (lambda: token(nonce=None), "nonce"),
    (lambda: token(sub=""), "subject"),
    (lambda: "not.a.token", "signature"),
    (lambda: None, "no ID token"),
])
def test_a_bad_token_is_refused_with_the_reason(made, words):
    with pytest.raises(oidc.SignInError, match=words) as refused:
        oidc.verify_id_token(CFG, made(), "n1")
    assert refused.value.status == 401


def test_roles_from_groups_take_the_highest():
    cfg = {"OIDC_ROLE_GROUPS": "admin=IT-Admins, ld=learning ,manager=leads,boss=x,=y"}
    assert oidc.role_groups(cfg) == {"it-admins": "admin", "learning": "ld", "leads": "manager"}


def test_a_first_sign_in_never_takes_over_a_local_account(app):
    from server.people.users import add_user
    from server.storage import db

    boss_claims = {"iss": ISSUER, "sub": "evil", "preferred_username": "boss",
                   "email": "boss@example.com", "email_verified": False}
    with app.app_context():
        s = db.session()
        boss = add_user(s, "boss", role="admin", email="boss@example.com")
        for cfg in (app.config, {**app.config, "OIDC_LINK_VERIFIED_EMAIL": True}):
            with pytest.raises(oidc.SignInError, match="not linked") as refused:
                oidc.user_for_claims(cfg, s, boss_claims)
            assert refused.value.status == 409
        assert boss.oidc_subject is None and boss.role == "admin"
        # a verified email links only when the operator allowed it
        verified = {**boss_claims, "sub": "boss-sub", "email_verified": True}
        with pytest.raises(oidc.SignInError, match="not linked"):
            oidc.user_for_claims(app.config, s, verified)
        linked = oidc.user_for_claims({**app.config, "OIDC_LINK_VERIFIED_EMAIL": True}, s,
                                      verified)
        assert linked.id == boss.id and linked.oidc_subject == f"{ISSUER}|boss-sub"
        # from now on only that subject is boss; anyone else naming themselves so gets their own
        other = oidc.user_for_claims(app.config, s, {**boss_claims, "email": "x@example.com"})
        assert other.id != boss.id and other.role == "employee"


def test_claims_make_and_update_a_person_keeping_their_directory_groups(app):
    from server.people.users import add_user
    from server.storage import db
    from server.storage.models import DirectoryGroup, DirectoryMember

    cfg = {**app.config, "OIDC_ROLE_GROUPS": "admin=it-admins"}
    claims = {"iss": ISSUER, "sub": "s1", "preferred_username": "ada", "email": "ada@example.com",
              "groups": ["Sales", "it-admins"]}
    with app.app_context():
        s = db.session()
        ada = add_user(s, "ada")
        ada.external_id = "dir-ada"  # provisioned by the directory (SCIM), not yet signed in
        s.add(DirectoryGroup(id="g1", display_name="Finance"))
        s.add(DirectoryMember(group_id="g1", user_id=ada.id))
        s.commit()
        user = oidc.user_for_claims(cfg, s, claims)
        assert user.id == ada.id and user.oidc_subject == f"{ISSUER}|s1"
        assert (user.groups, user.role, user.email) == (["finance", "it-admins", "sales"],
                                                        "admin", "ada@example.com")
        user = oidc.user_for_claims(cfg, s, {**claims, "groups": []})
        assert (user.groups, user.role) == (["finance"], "employee")
        other = oidc.user_for_claims({**cfg, "OIDC_CREATE_USERS": False}, s, {
            **claims, "sub": "s1"})
        assert other.id == ada.id  # known people sign in even when no new ones are made
        with pytest.raises(oidc.SignInError, match="no jitlearn account"):
            oidc.user_for_claims({**cfg, "OIDC_CREATE_USERS": False}, s,
                                 {"iss": ISSUER, "sub": "s2", "preferred_username": "ben"})
