"""The web console in real headless Chromium against a real `jitlearn serve` of its own.

Every page is checked with axe-core and saved to build/screenshots/console-*.png.
"""

import json
import os
import re
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "build" / "screenshots"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
AXE = ROOT / "extension" / "node_modules" / "axe-core" / "axe.min.js"
PASSWORD = "a long enough password"


@pytest.fixture(scope="module")
def site(tmp_path_factory, jitlearn_bin):
    """A server with the samples, an L&D person, an admin and an employee with passwords."""
    home = tmp_path_factory.mktemp("console-home")
    env = {**os.environ, "JITLEARN_HOME": str(home), "JITLEARN_LOG_LEVEL": "WARNING",
           "JITLEARN_MODEL": ""}

    def cli(*args):
        return subprocess.run([str(jitlearn_bin), *args], env=env, check=True,
                              capture_output=True, text=True).stdout.strip()

    cli("ingest", "--source", "samples", str(ROOT / "samples" / "content"))
    saved = home / "bench-pages.jsonl"  # the test bench's saved pages, for tag previews
    saved.write_text(json.dumps({"id": "navan", "context": {
        "title": "Expense report - Navan", "url": "https://app.navan.com/expenses"}}) + "\n")
    env["JITLEARN_EVAL_JUDGMENTS"] = str(saved)
    for name, role in (("lena", "ld"), ("ivy", "admin"), ("ada", "employee")):
        cli("users", "add", name, "--role", role)
        cli("users", "password", name, "--password", PASSWORD)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([str(jitlearn_bin), "serve", "--port", str(port)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/healthz", timeout=2)
            break
        except OSError:
            time.sleep(0.2)
    yield base, cli
    proc.terminate()
    proc.communicate(timeout=10)


@pytest.fixture(scope="module")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


def signed_in(chromium, base, name):
    page = chromium.new_page()
    page.goto(base + "/console/login")
    page.get_by_label("User name").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    return page


def check(page, shot: str) -> None:
    """No axe-core violations; a screenshot for the README and for people reviewing."""
    if not AXE.exists():
        pytest.fail("axe-core is missing: run make test, which installs the extension's tools")
    page.evaluate(AXE.read_text() + "\n;0")
    violations = page.evaluate("""async () =>
        (await axe.run(document, {resultTypes: ['violations']}))
        .violations.map(v => `${v.id} (${v.impact}): ${v.nodes.length}`)""")
    assert violations == [], (shot, violations)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"console-{shot}.png"), full_page=True)


def test_sign_in_page_is_accessible(chromium, site):
    base, _ = site
    page = chromium.new_page()
    page.goto(base + "/console/content")
    assert page.url.startswith(base + "/console/login")  # sent to sign in first
    check(page, "login")


def test_l_and_d_finds_a_document_tags_it_and_suggestions_follow(chromium, site, http):
    base, cli = site
    page = signed_in(chromium, base, "lena")
    assert page.get_by_role("heading", name="Content library").is_visible()
    check(page, "library")
    page.get_by_label("Words").fill("receipts")
    page.get_by_role("button", name="Filter").click()
    page.get_by_role("link", name="Expense Policy").click()
    assert page.get_by_role("heading", name="Expense Policy", exact=True).is_visible()
    check(page, "document")

    cli("users", "add", "sam", "--groups", "engineering")
    token = cli("tokens", "create", "sam")
    context = {"context": {"title": "Expense report - Navan"}}
    before = [s["id"] for s in http(base, "/api/v1/suggestions", context, token)[1]
              ["suggestions"]]
    assert "samples:policies/expenses.md" in before
    page.get_by_label("Audience groups (empty: everyone)").fill("finance")
    page.get_by_label("Owner").fill("finance-ops")
    page.get_by_role("button", name="Preview on the saved pages").click()  # saves nothing
    preview = page.locator("section[aria-labelledby=preview-h]")
    assert ("would take Expense Policy out of the first 10 (from #1) for “Expense report - "
            "Navan” (no longer shown)") in preview.inner_text()
    check(page, "tag-preview")
    assert "samples:policies/expenses.md" in [s["id"] for s in http(
        base, "/api/v1/suggestions", context, token)[1]["suggestions"]]
    page.get_by_role("button", name="Save these tags").click()
    assert page.get_by_role("status").inner_text().startswith("Saved")
    after = [s["id"] for s in http(base, "/api/v1/suggestions", context, token)[1]
             ["suggestions"]]
    assert "samples:policies/expenses.md" not in after  # now for finance only

    page.get_by_role("button", name="Back to the automatic tags").click()
    page.get_by_role("button", name="Back to the automatic tags").click()  # asked, confirmed
    again = [s["id"] for s in http(base, "/api/v1/suggestions", context, token)[1]
             ["suggestions"]]
    assert "samples:policies/expenses.md" in again

    def bench_suggestions():
        page.goto(base + "/console/bench")
        page.get_by_label("Page title").fill("Expense report - Navan")
        page.get_by_role("button", name="Run").click()
        return page.locator("#suggestions").inner_text()

    def agreement():  # the policy's topic agreement with the page, in the bench's table
        row = page.locator("tbody tr").filter(has=page.get_by_role(
            "cell", name="Expense Policy", exact=True))
        return float(row.first.locator("td").nth(2).inner_text())

    assert "Expense Policy" in bench_suggestions() and agreement() > 0.5
    page.goto(base + "/console/content/samples:policies/expenses.md")
    page.get_by_label("Topics (ids, comma-separated)").fill("meetings")
    page.get_by_role("button", name="Save tags").click()
    bench_suggestions()  # the policy is no longer about expenses: the bench says so
    assert agreement() == 0
    page.goto(base + "/console/content/samples:policies/expenses.md")
    page.get_by_role("button", name="Back to the automatic tags").click()
    page.get_by_role("button", name="Back to the automatic tags").click()  # asked, confirmed
    assert "Expense Policy" in bench_suggestions() and agreement() > 0.5
    page.goto(base + "/console/sources")
    check(page, "sources")


def test_a_post_without_the_forms_token_is_refused(chromium, site):
    base, _ = site
    page = signed_in(chromium, base, "ivy")
    answer = page.request.post(base + "/console/users/1", form={"action": "deactivate"})
    assert answer.status == 400
    page.goto(base + "/console/users")
    assert page.get_by_role("cell", name="deactivated").count() == 0
    check(page, "users")


def test_an_admin_reads_the_audit_trail_from_the_menu(chromium, site):
    base, _ = site
    page = signed_in(chromium, base, "ivy")
    page.get_by_role("link", name="Audit trail").click()
    page.wait_for_url("**/console/audit")
    assert page.get_by_role("cell", name="sign-in", exact=True).count() >= 1
    check(page, "audit")
    page.get_by_label("What").select_option("sign-")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**/console/audit?action=sign-")
    assert page.get_by_role("cell", name="sign-in", exact=True).count() >= 1
    assert page.get_by_role("cell", name="role.change").count() == 0


def test_an_employee_sees_their_page_and_cannot_open_admin_pages(chromium, site):
    base, _ = site
    page = signed_in(chromium, base, "ada")
    assert page.url.endswith("/console/me")
    page.get_by_label("Job title").fill("Software Engineer")
    page.get_by_role("button", name="Save profile").click()
    page.get_by_role("button", name="Create a personal token").click()
    assert page.locator("#new-token").inner_text().startswith("jl_")
    check(page, "me")
    answer = page.goto(base + "/console/users")
    assert answer.status == 403
    assert page.get_by_role("heading", name="Not for your role").is_visible()
    check(page, "forbidden")


def test_an_employee_steers_their_learning_from_my_learning_by_keyboard(chromium, site):
    """Set a role, pick a target role from a search, rate three skills, see the gaps and the
    feed, acknowledge a mandatory policy: every step with the keyboard alone."""
    base, cli = site
    cli("import", "roles", str(ROOT / "samples" / "career" / "roles.csv"))
    page = signed_in(chromium, base, "ada")
    page.wait_for_url("**/console/me")

    def type_into(label: str, text: str) -> None:
        page.get_by_label(label, exact=True).focus()
        page.keyboard.press("Control+A")
        page.keyboard.type(text)
        with page.expect_navigation():
            page.keyboard.press("Enter")

    def press(button) -> None:
        button.focus()
        with page.expect_navigation():
            page.keyboard.press("Enter")

    type_into("Job title", "Senior Software Engineer")
    matched = page.locator("#role-match").inner_text()
    assert "Matched to the role Senior Software Engineer" in matched
    type_into("Look up a role by its title", "engineering manager")
    press(page.get_by_role("button", name="Add Engineering Manager to my target roles"))
    assert page.get_by_role("button", name="Remove Engineering Manager from my target roles") \
        .is_visible()
    for skill, level in (("Budgeting", "1. Novice"), ("Hiring", "2. Advanced beginner"),
                         ("Programming", "4. Proficient")):
        page.get_by_label("Rate yourself on a skill your roles need").select_option(label=skill)
        page.get_by_label(level, exact=True).check()
        press(page.get_by_role("button", name="Save my rating"))
    ratings = page.get_by_role("table").inner_text()
    assert all(s in ratings for s in ("Budgeting", "Hiring", "Programming"))
    gaps = page.locator("section[aria-labelledby=gaps-h]").inner_text()
    assert "Budgeting: needed: competent, typical of Engineering Manager; you: novice" in gaps
    assert "Start with:" in gaps
    assert "Programming" not in gaps  # rated above what the target needs
    feed = page.locator("section[aria-labelledby=feed-h]")
    assert "needed for Engineering Manager, your target role" in feed.inner_text()

    required = page.locator("section[aria-labelledby=required-h] li")
    before = required.count()
    assert before >= 1
    press(required.first.get_by_role("button", name=re.compile("^I have read it")))
    assert page.locator("section[aria-labelledby=required-h] li").count() == before - 1
    check(page, "my-learning")


def test_l_and_d_posts_an_opportunity_and_takes_it_down(chromium, site):
    """The Opportunities page as L&D uses it: post one with its skills and dates, see it listed,
    change its state; every page passes axe-core."""
    base, _ = site
    page = signed_in(chromium, base, "lena")
    page.wait_for_url("**/console/content")
    page.get_by_role("link", name="Opportunities").click()
    page.wait_for_url("**/console/opportunities")
    page.get_by_label("Title").fill("Shadow the quarterly security review")
    page.get_by_label("What it is, and what someone learns by it").fill(
        "Sit in on the review and write up one finding.")
    page.get_by_label("Kind").select_option("shadowing")
    page.get_by_label("Hours a week").fill("1")
    page.get_by_label("Ends").fill("2099-03-31")
    page.get_by_role("button", name="Post it").click()
    page.wait_for_url("**/console/opportunities/*")
    assert "Posted “Shadow the quarterly security review”" in page.inner_text("main")
    assert "1 h a week until 31 March" in page.inner_text("main")
    check(page, "opportunity")
    page.get_by_label("State (only an open one is shown to people)").select_option("closed")
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state("load")
    assert "no longer shown to anyone" in page.inner_text("main")
    page.get_by_role("link", name="All opportunities").click()
    row = page.get_by_role("row", name=re.compile("Shadow the quarterly security review"))
    assert "closed" in row.inner_text()
    check(page, "opportunities")
    page.close()


def test_keyboard_alone_reaches_the_content_from_the_skip_link(chromium, site):
    base, _ = site
    page = signed_in(chromium, base, "lena")
    page.wait_for_url("**/console/content")
    page.wait_for_load_state("load")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    page.wait_for_url("**/console/content#main", timeout=5000)


def test_an_admin_creates_a_rule_tries_it_replays_publishes_and_rolls_back(chromium, site, http):
    base, cli = site
    cli("users", "add", "rita")
    token = cli("tokens", "create", "rita")
    page_context = {"context": {"title": "Dashboard - Claimsy",
                                "url": "https://acme.claimsy.example/home"}}

    def topics():
        return [t["id"] for t in http(base, "/api/v1/suggestions", page_context, token)[1]
                ["topics"]]

    assert "expenses" not in topics()
    page = signed_in(chromium, base, "ivy")
    page.goto(base + "/console/rules")
    check(page, "rules")
    page.get_by_label("Topic it gives").select_option(label="Expenses")  # picked, not typed
    page.get_by_label("Rule (JSON)").fill(
        '{"id": "url-claimsy", "kind": "url", "host": "*.claimsy.example", "path": "/*", '
        '"weight": 2}')
    page.get_by_role("button", name="Check and save rule").click()
    assert "Saved to the draft" in page.get_by_role("status").inner_text()

    page.goto(base + "/console/bench")
    page.get_by_label("Page title").fill("Dashboard - Claimsy")
    page.get_by_label("URL").fill("https://acme.claimsy.example/home")
    page.get_by_label("Taxonomy and rules").select_option("draft")
    page.get_by_role("button", name="Run").click()
    assert "url-claimsy" in page.locator("main").inner_text()
    check(page, "bench")

    page.goto(base + "/console/rules/replay")
    assert page.locator("#replay-summary").is_visible()
    check(page, "replay")
    page.get_by_label("What changed and why").fill("Claimsy is our claims tool")
    page.get_by_role("button", name="Publish the draft").click()
    assert page.get_by_role("heading", name="Publish the draft?").is_visible()
    page.get_by_role("button", name="Publish the draft").click()
    assert "is published" in page.get_by_role("status").inner_text()
    assert "expenses" in topics()
    check(page, "versions")

    page.get_by_role("button", name="Roll back to this: the built-in version").click()
    check(page, "confirm")
    page.get_by_role("button", name="Roll back to the built-in version").click()
    assert "Rolled back" in page.get_by_role("status").inner_text()
    deadline = time.monotonic() + 10  # the server process checks for a new version every 2 s
    while "expenses" in topics() and time.monotonic() < deadline:
        time.sleep(0.5)
    assert "expenses" not in topics()


def test_analytics_draw_charts_from_real_requests(chromium, site, http):
    base, cli = site
    for n in range(6):
        cli("users", "add", f"viewer{n}")
        token = cli("tokens", "create", f"viewer{n}")
        _, answer = http(base, "/api/v1/suggestions",
                         {"context": {"title": "Expense report - Navan"}}, token)
        http(base, "/api/v1/feedback", {"request_id": answer["request_id"],
                                        "content_id": answer["suggestions"][0]["id"],
                                        "action": "helpful"}, token)
    page = signed_in(chromium, base, "lena")
    page.goto(base + "/console/analytics")
    chart = page.locator("#chart-fared")
    # The first load runs in the background (the page reloads itself); after it, analytics take
    # in new events at most once a minute, and an earlier test's feed (skills in demand read
    # them) may have just done so: ask again until the requests above are in.
    deadline = time.monotonic() + 90
    while not chart.count() and time.monotonic() < deadline:
        page.wait_for_timeout(3000)
        page.goto(base + "/console/analytics")
    chart.wait_for(timeout=5_000)
    assert chart.evaluate("img => img.complete && img.naturalWidth > 0")  # drawn, not broken
    svg = page.request.get(base + chart.get_attribute("src")).text()
    assert "Expenses" in svg
    assert page.locator("#chart-demand").count() == 1
    check(page, "analytics")


def test_an_item_without_an_address_opens_a_readable_accessible_page(chromium, site, http,
                                                                     tmp_path):
    base, cli = site
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "onboarding-week.md").write_text(
        "# Onboarding week\n\nMeet your buddy on the first day.\n\nSet up your laptop with IT.")
    cli("ingest", "--source", "notes", str(folder))  # no address: a folder without a template
    cli("users", "add", "reader")
    token = cli("tokens", "create", "reader")
    status, found = http(base, "/api/v1/search?q=onboarding+buddy", token=token)
    link = found["results"][0]["url"]
    assert status == 200 and "/read/notes:onboarding-week.md?" in link
    page = chromium.new_page()  # a new tab: no token, no session
    page.goto(base + "/read/" + link.split("/read/", 1)[1])  # the link names PUBLIC_URL's host
    assert page.get_by_role("heading", name="Onboarding week").is_visible()
    assert page.get_by_text("Set up your laptop with IT.").is_visible()
    check(page, "read")


@pytest.mark.parametrize("path", ["/console/rules", "/console/content", "/console/sources"])
def test_pages_fit_at_200_percent_zoom(chromium, site, path):
    """At 200% a 1280-pixel screen is 640 CSS pixels wide: nothing may need sideways scrolling
    (WCAG 1.4.10, reflow); wide tables scroll inside their own box."""
    base, _ = site
    page = signed_in(chromium, base, "ivy")
    page.set_viewport_size({"width": 640, "height": 900})
    page.goto(base + path)
    wide = page.evaluate("() => document.documentElement.scrollWidth")
    assert wide <= 640, f"{path} is {wide} px wide at 200% zoom"



WALK = """() => {
  // every control a keyboard user must reach: visible, enabled, in the tab order; a radio group
  // is one stop. Each is marked so the walk can say which it reached.
  const all = [...document.querySelectorAll(
    'a[href], button, input, select, textarea, summary, [tabindex]')].filter((e) =>
    !e.disabled && e.tabIndex >= 0 && e.type !== 'hidden' &&
    e.checkVisibility({visibilityProperty: true, contentVisibilityAuto: true}) &&
    !e.closest('details:not([open]) > :not(summary)'));
  const names = new Map();
  let n = 0;
  for (const e of all) {
    const form = e.form ? [...document.forms].indexOf(e.form) : -1;
    const key = e.type === 'radio' ? `radio:${form}:${e.name}` : null;
    if (key && names.has(key)) { e.dataset.stop = names.get(key); continue; }
    e.dataset.stop = String(n);
    if (key) names.set(key, String(n));
    n += 1;
  }
  return n;
}"""

FOCUSED = """() => {
  const e = document.activeElement;
  const s = getComputedStyle(e);
  const ring = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) ||
    s.boxShadow !== 'none';
  const what = `${e.tagName} ${e.textContent.trim().slice(0, 40) || e.name || ''}`;
  return {stop: e.dataset.stop ?? null, ring, what};
}"""


@pytest.mark.parametrize("who,path", [
    ("lena", "/console/content"), ("lena", "/console/content/samples:policies/corporate-card.md"),
    ("lena", "/console/sources"), ("ivy", "/console/rules"), ("ivy", "/console/bench"),
    ("ivy", "/console/rules/versions"), ("ivy", "/console/analytics"), ("ivy", "/console/users"),
    ("ivy", "/console/audit"), ("ada", "/console/me"), ("lena", "/console/opportunities")])
def test_tab_reaches_every_control_with_a_visible_focus_ring(chromium, site, who, path):
    """Keyboard-only use: Tab from the top of the page stops at every visible control once
    around, each shows where the focus is, and nothing holds the focus (no trap)."""
    base, _ = site
    page = signed_in(chromium, base, who)
    page.wait_for_load_state("load")
    answer = page.goto(base + path)
    assert answer.status == 200, path
    stops = page.evaluate(WALK)
    assert stops > 3, f"{path} has only {stops} controls"
    # a date field is three stops (day, month, year) for the keyboard
    dates = page.evaluate("() => document.querySelectorAll('input[type=date]').length")
    reached, unringed = set(), []
    for _ in range(stops + 2 * dates + 5):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused["stop"] is not None:
            reached.add(focused["stop"])
            if not focused["ring"]:
                unringed.append(focused["what"])
    missed = page.evaluate("""(reached) => [...document.querySelectorAll('[data-stop]')]
        .filter((e) => !reached.includes(e.dataset.stop))
        .map((e) => `${e.tagName} ${e.textContent.trim().slice(0, 40) || e.name || ''}`)""",
                           sorted(reached))
    assert missed == [], f"{path}: Tab never reaches {missed}"
    assert unringed == [], f"{path}: no visible focus on {unringed}"
    page.close()
