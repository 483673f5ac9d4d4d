"""OpenID Connect sign-in against a real provider process on loopback (tests/e2e/oidc_provider.py:
oidc-provider-mock, with PKCE enforced), through a real `jitlearn serve`."""

import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
import requests

from .conftest import free_port

pytestmark = pytest.mark.e2e
PROVIDER = Path(__file__).with_name("oidc_provider.py")
CLIENT_ID = "jitlearn-console"


@pytest.fixture(scope="module")
def provider():
    port = free_port()
    proc = subprocess.Popen([sys.executable, str(PROVIDER), str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    issuer = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if requests.get(issuer + "/.well-known/openid-configuration", timeout=2).ok:
                break
        except requests.ConnectionError:
            time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail("the OpenID provider did not start: " + proc.stdout.read())
    yield issuer
    proc.terminate()
    proc.wait(timeout=10)
    proc.stdout.close()


@pytest.fixture(scope="module")
def site(provider, tmp_path_factory, serve, cli):
    home = tmp_path_factory.mktemp("oidc-home")
    port = free_port()
    env = {**os.environ, "JITLEARN_HOME": str(home), "JITLEARN_LOG_LEVEL": "WARNING",
           "JITLEARN_PUBLIC_URL": f"http://127.0.0.1:{port}",
           "JITLEARN_OIDC_ISSUER": provider, "JITLEARN_OIDC_CLIENT_ID": CLIENT_ID,
           "JITLEARN_OIDC_CLIENT_SECRET": "a client secret",
           "JITLEARN_OIDC_ROLE_GROUPS": "admin=it-admins,ld=learning-team",
           "JITLEARN_RATE_LOGIN": "500"}  # many sign-ins from one address, in a minute
    proc, base = serve(env, port=port)
    yield base, env
    proc.terminate()
    proc.wait(timeout=10)
    proc.stdout.close()


def person(provider, sub, **claims):
    """The provider's user sub, with these claims in their ID token."""
    answer = requests.put(f"{provider}/users/{sub}", json=claims, timeout=10)
    assert answer.status_code == 204, answer.text


def sign_in(base, sub, browser=None, come_back=True):
    """Start at the console's button, sign in at the provider as sub, come back: (browser,
    callback URL, the console's answer to it, if come_back)."""
    browser = browser or requests.Session()
    start = browser.get(base + "/console/oidc/login?next=/console/me", allow_redirects=False)
    assert start.status_code == 302, start.text
    authorize = start.headers["Location"]
    query = parse_qs(urlparse(authorize).query)
    assert query["code_challenge_method"] == ["S256"] and query["client_id"] == [CLIENT_ID]
    consent = browser.post(authorize, data={"sub": sub}, allow_redirects=False)
    assert consent.status_code == 302, consent.text
    callback = consent.headers["Location"]
    assert callback.startswith(base + "/console/oidc/callback?")
    return browser, callback, come_back and browser.get(callback, allow_redirects=False)


def users(cli, env) -> dict[str, list[str]]:
    return {line.split("\t")[0]: line.split("\t")[1:]
            for line in cli(env, "users", "list").splitlines()}


def test_the_login_page_offers_the_organisations_sign_in(site):
    base, _ = site
    page = requests.get(base + "/console/login", timeout=10).text
    assert "Sign in with your organisation" in page and "/console/oidc/login" in page


def test_first_sign_in_makes_the_account_from_the_claims(site, provider, cli):
    base, env = site
    person(provider, "a1b2", preferred_username="ana", email="ana@example.com", name="Ana Ruiz",
           groups=["Finance", "it-admins"])
    browser, _, back = sign_in(base, "a1b2")
    assert back.status_code == 302 and back.headers["Location"].endswith("/console/me")
    assert browser.get(base + "/console/me", allow_redirects=False).status_code == 200
    assert browser.get(base + "/console/users", allow_redirects=False).status_code == 200
    role, groups, email = users(cli, env)["ana"][:3]
    assert (role, groups, email) == ("admin", "finance,it-admins", "ana@example.com")

    # the provider changes her groups: the next sign-in is the same account, with the new role
    person(provider, "a1b2", preferred_username="ana", email="ana@example.com",
           groups=["finance", "learning-team"])
    browser, _, back = sign_in(base, "a1b2")
    assert back.status_code == 302
    assert browser.get(base + "/console/users", allow_redirects=False).status_code == 403
    assert users(cli, env)["ana"][:2] == ["ld", "finance,learning-team"]
    assert list(users(cli, env)).count("ana") == 1


def test_an_existing_account_is_linked_only_after_an_admin_links_it(site, provider, cli):
    base, env = site
    cli(env, "users", "add", "ben", "--role", "admin")
    # a provider account that calls itself "ben" must not become the local admin ben
    person(provider, "impostor", preferred_username="ben", email="ben@example.com",
           email_verified=False)
    _, _, back = sign_in(base, "impostor")
    refused(back, 409, "already exists and is not linked")
    assert users(cli, env)["ben"][0] == "admin" and "ben@example.com" not in users(cli, env)
    # the admin links ben's real identity; then it signs in as ben
    person(provider, "ben-sub", preferred_username="ben")
    cli(env, "users", "link", "ben", "--subject", "ben-sub")
    browser, _, back = sign_in(base, "ben-sub")
    assert back.status_code == 302
    assert browser.get(base + "/console/me").status_code == 200
    assert users(cli, env)["ben"][0] == "admin"  # no groups claim: the role is left alone
    # with ben linked, the impostor gets an account of its own, never his
    _, _, back = sign_in(base, "impostor")
    assert back.status_code == 302
    assert users(cli, env)["ben@example.com"][0] == "employee"


def refused(back, status: int, words: str):
    assert back.status_code == status, back.text
    assert words in back.text and "Traceback" not in back.text


def test_a_token_for_another_audience_is_refused(site, provider):
    base, _ = site
    person(provider, "mallory", preferred_username="mallory", aud="another-application")
    browser, _, back = sign_in(base, "mallory")
    refused(back, 401, "issued for another application")
    assert browser.get(base + "/console/me", allow_redirects=False).status_code == 302


def test_an_expired_token_is_refused(site, provider):
    base, _ = site
    person(provider, "old", preferred_username="old", exp=int(time.time()) - 3600,
           iat=int(time.time()) - 7200)
    browser, _, back = sign_in(base, "old")
    refused(back, 401, "has expired")
    assert browser.get(base + "/console/me", allow_redirects=False).status_code == 302


def test_a_replayed_state_is_refused(site, provider):
    base, _ = site
    person(provider, "carla", preferred_username="carla")
    browser, callback, back = sign_in(base, "carla")
    assert back.status_code == 302
    # the same answer again, in the same browser (say, from its history): refused
    refused(browser.get(callback, allow_redirects=False), 400, "already used")
    # someone else's browser presenting a fresh answer that was meant for this one: refused
    thief = requests.Session()
    _, callback, _ = sign_in(base, "carla", come_back=False)
    refused(thief.get(callback, allow_redirects=False), 400, "started elsewhere")
    assert thief.get(base + "/console/me", allow_redirects=False).status_code == 302


def test_a_deactivated_person_cannot_sign_in(site, provider, cli):
    base, env = site
    person(provider, "dan-sub", preferred_username="dan")
    assert sign_in(base, "dan-sub")[2].status_code == 302
    cli(env, "users", "deactivate", "dan")
    refused(sign_in(base, "dan-sub")[2], 403, "deactivated")


def test_bad_answers_from_the_browser_are_refused_plainly(site):
    base, _ = site
    for query, status in (("", 400), ("?state=x&code=y", 400), ("?state=" + "x" * 500, 400),
                          ("?error=access_denied&error_description=denied", 401)):
        back = requests.get(base + "/console/oidc/callback" + query, allow_redirects=False)
        refused(back, status, "not signed in")


def test_the_id_token_claims_that_reach_the_account(site, provider, cli):
    """Hostile claim values: long, odd types, too many groups. Nothing breaks; lengths hold."""
    base, env = site
    person(provider, "odd", preferred_username="x" * 500, email=["not", "a", "string"],
           groups=["g" * 200, 42, "ok", *[f"group{i}" for i in range(300)]], name={"a": 1})
    assert sign_in(base, "odd")[2].status_code == 302
    row = users(cli, env)["x" * 100]  # the name cut to its 100 characters
    assert len(row[1].split(",")) == 200 and "ok" in row[1].split(",")  # the first 200 kept
    assert row[2:] in ([], [""])  # an email that is not a string is not kept


def test_the_extension_connects_by_signing_in_with_the_provider(site, provider, tmp_path,
                                                                  http):
    """In Chromium: settings → sign in at the provider → agree → the extension holds a token."""
    from playwright import sync_api

    from .test_console import check
    from .test_extension import CHROMIUM, EXTENSION_ID, launch, wait_text

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "extension"))
    from build import build

    base, _ = site
    person(provider, "eve-sub", preferred_username="eve", groups=["sales"])
    extension = build(tmp_path / "jitlearn", ["http://127.0.0.1/*"], unpacked=True)
    assert CHROMIUM
    with sync_api.sync_playwright() as playwright:
        ctx, worker = launch(playwright, extension, tmp_path / "profile")
        try:
            options = ctx.new_page()
            options.goto(f"chrome-extension://{EXTENSION_ID}/options.html")
            options.fill("#serverUrl", base)
            with ctx.expect_page() as opened:
                options.click("#signin")
            tab = opened.value
            tab.wait_for_load_state()
            assert "/console/login" in tab.url  # not signed in yet: the console's sign-in
            check(tab, "login-oidc")
            tab.click("#oidc")
            tab.wait_for_selector("input[name=sub]")  # the provider's own page
            tab.fill("input[name=sub]", "eve-sub")
            tab.click("form button[type=submit]:not([value=deny])")
            tab.wait_for_selector("#allow")  # back on the console: agree to connect
            assert "as eve" in " ".join(tab.inner_text("main").split())
            check(tab, "connect")
            tab.click("#allow")
            tab.wait_for_url(f"chrome-extension://{EXTENSION_ID}/connected.html*")
            assert wait_text(tab, "#status", lambda t: t.startswith("Connected")) == \
                "Connected as eve. You can close this tab."
            assert "code=" not in tab.url  # the code left the address bar
            token = worker.evaluate("chrome.storage.local.get('token').then(x => x.token)")
            settings = worker.evaluate("chrome.storage.local.get('settings')"
                                       ".then(x => x.settings)")
        finally:
            ctx.close()
    assert settings["serverUrl"] == base
    status, me = http(base, "/api/v1/me", token=token)
    assert status == 200 and me["name"] == "eve"
