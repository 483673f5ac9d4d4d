"""The extension in real headless Chromium against a real `jitlearn serve` with the samples.

The side panel is opened as a detached panel window (the toolbar button that opens the docked
panel is browser chrome a test cannot click); it follows the active tab of the last normal
window, exactly as it does for a person who pops the panel out. Screenshots of each state go to
build/screenshots/.
"""

import json
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "extension"))
from playwright import sync_api  # noqa: E402

from build import build  # noqa: E402  (the packaging script, used as an admin would)

SHOTS = ROOT / "build" / "screenshots"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"  # Debian's; make test installs it
POLICY_DIR = Path("/etc/chromium/policies/managed")
EXTENSION_ID = "agphlekpiaoblfclgcbkmfoneiploppe"  # from the key in extension/manifest.json
SECRETS = ["SECRET-FORM-VALUE", "hunter2", "PRIVATE-NOTES", "HIDDEN-PARAGRAPH", "INVISIBLE-STYLE",
           "jane.doe@example.com", "555 0199", "4111111111111111", "token=abc", "#frag"]



def launch(playwright, extension: Path, profile: Path):
    ctx = playwright.chromium.launch_persistent_context(
        str(profile), executable_path=CHROMIUM, headless=False,
        args=["--headless=new", f"--disable-extensions-except={extension}",
              f"--load-extension={extension}", "--disable-background-networking",
              "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-gpu",
              "--no-sandbox"])
    worker = ctx.service_workers[0] if ctx.service_workers else ctx.wait_for_event("serviceworker")
    assert worker.url.split("/")[2] == EXTENSION_ID
    return ctx, worker


def wait_text(page, selector, predicate, timeout=10.0):
    """Poll an element's text (extension pages forbid the string eval wait_for_function uses)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = page.text_content(selector) or ""
        if predicate(text):
            return text
        time.sleep(0.05)
    raise AssertionError(f"{selector}: {page.text_content(selector)!r}")


def wait_state(panel, name, timeout=10.0):
    return wait_text(panel, "body", lambda _: panel.get_attribute("body", "data-state") == name,
                     timeout)


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


class Browser:
    """One Chromium with the extension, a tab for the work page, and the panel window."""

    def __init__(self, ctx, worker):
        self.ctx, self.worker = ctx, worker
        self.tab = ctx.pages[0] if ctx.pages else ctx.new_page()
        self.panel = None

    def options(self):
        page = self.ctx.new_page()
        page.goto(f"chrome-extension://{EXTENSION_ID}/options.html")
        return page

    def connect(self, server, token):
        page = self.options()
        page.fill("#serverUrl", server)
        page.fill("#token", token)
        page.click("#connect button[type=submit]")
        status = wait_text(page, "#status", lambda t: t not in ("", "Connecting…"))
        page.close()
        return status

    def open_panel(self):
        if self.panel is None or self.panel.is_closed():
            with self.ctx.expect_page() as info:
                self.worker.evaluate("chrome.windows.create({url: chrome.runtime.getURL("
                                     "'sidepanel.html'), type: 'popup', width: 420, height: 900})")
            self.panel = info.value
            self.panel.set_viewport_size({"width": 420, "height": 900})  # a side panel's width
            self.panel.wait_for_load_state()
        return self.panel

    def visit(self, url):
        self.tab.goto(url)
        self.tab.wait_for_load_state("load")

    def answers(self):
        return int(self.panel.get_attribute("body", "data-answers") or 0)

    def ask(self):
        """Press the panel's button and wait for its next answer; returns seconds taken."""
        panel = self.open_panel()
        before = self.answers()
        started = time.monotonic()
        panel.click("#ask")
        self.wait_answer(before)
        return time.monotonic() - started

    def wait_answer(self, before, timeout=10.0):
        deadline = time.monotonic() + timeout
        while self.answers() <= before:
            if time.monotonic() > deadline:
                state = self.panel.get_attribute("body", "data-state")
                raise AssertionError(f"the panel did not answer; it is in state {state}")
            time.sleep(0.01)

    def titles(self):
        return [h.inner_text() for h in self.panel.query_selector_all("#suggestions .card h2")]


@pytest.fixture(scope="module")
def playwright():
    with sync_api.sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="module")
def browser(service, playwright, tmp_path_factory):
    # built as an admin would, granting the hosts the test pages and the server live on
    extension = build(tmp_path_factory.mktemp("ext") / "jitlearn", ["http://127.0.0.1/*"],
                      unpacked=True)
    ctx, worker = launch(playwright, extension, tmp_path_factory.mktemp("profile"))
    yield Browser(ctx, worker)
    ctx.close()


@pytest.fixture(scope="module")
def person(service):
    _, _, _, env = service
    run = lambda *a: subprocess.run([str(Path(sys.executable).parent / "jitlearn"), *a],  # noqa: E731
                                    env=env, check=True, capture_output=True, text=True)
    run("users", "add", "panel-user")
    return run("tokens", "create", "panel-user").stdout.strip()


def test_first_run_explains_what_is_sent_and_waits_for_consent(browser, pages_server):
    browser.visit(f"{pages_server}/expense-report.html")
    panel = browser.open_panel()
    wait_state(panel, "consent")
    text = panel.inner_text("#state")
    assert "without the part after ? or #" in text and "Never form fields, passwords" in text
    assert "once you connect" in text and "127.0.0.1" not in text  # no server named yet
    shot(panel, "1-consent")
    panel.click("#state button")
    wait_state(panel, "signed-out")
    shot(panel, "2-signed-out")


def test_options_page_connects_with_a_personal_token(browser, service, person):
    base = service[0]
    assert "token is unknown" in browser.connect(base, "jl_wrong")
    assert browser.connect(base, person) == "Connected as panel-user."


def test_expense_page_shows_the_expense_policy_and_why(browser, pages_server):
    browser.visit(f"{pages_server}/expense-report.html?token=abc#frag")
    seconds = browser.ask()
    panel = browser.panel
    wait_state(panel, "results")
    first = panel.query_selector("#suggestions .card")
    assert first.query_selector("h2").inner_text() == "Expense Policy"
    assert "Mandatory" in first.inner_text() and "Acknowledge" in first.inner_text()
    assert "Its title names “Expense”, as your page does" in \
        first.query_selector(".reasons").inner_text()
    assert first.query_selector("h2 a").get_attribute("href").startswith("https://")
    where = first.query_selector(".provenance").inner_text()  # where it comes from, how fresh
    assert where.startswith("samples · "), where
    assert re.search(r"updated \d+ (days|weeks|months|years) ago$", where), where
    shot(panel, "3-results")
    print(f"\npanel answered in {seconds * 1000:.0f} ms after the page settled "
          f"(panel's own measure: {panel.get_attribute('body', 'data-latency-ms')} ms)")


def test_show_more_adds_the_next_suggestions_below_the_first_three(browser):
    panel = browser.panel
    first = browser.titles()
    assert len(first) == 3  # the panel's default: a few good cards, not a list
    before = browser.answers()
    panel.click("#more")
    browser.wait_answer(before)
    shown = [c.get_attribute("data-id") for c in panel.query_selector_all("#suggestions .card")]
    assert browser.titles()[:3] == first and 3 < len(shown) <= 8
    assert len(set(shown)) == len(shown)  # nothing twice
    assert "more suggestions" in panel.text_content("#announce")


def test_the_search_box_answers_from_the_library_whatever_the_page(browser):
    panel = browser.panel
    before = browser.answers()
    panel.fill("#words", "parental leave")
    panel.press("#words", "Enter")
    browser.wait_answer(before)
    found = panel.query_selector_all("#results .card")
    assert found and "Parental" in found[0].query_selector("h2").inner_text()
    assert found[0].query_selector("h2 a").get_attribute("href").startswith("https://")
    assert not found[0].query_selector(".actions")  # nothing was suggested: nothing to rate
    assert len(browser.titles()) > 3  # the page's own suggestions stay where they were
    shot(panel, "3b-search")
    before = browser.answers()
    panel.fill("#words", "zzyzx quokka")
    panel.click("#search button")
    browser.wait_answer(before)
    assert "Nothing in the library matches “zzyzx quokka”" in panel.inner_text("#found-title")
    assert not panel.query_selector_all("#results .card")


def test_the_same_page_again_is_answered_from_the_cache(browser, service):
    home = service[2]

    def asked():
        with sqlite3.connect(home / "jitlearn.db") as db:
            return db.execute("SELECT count(*) FROM suggestion_events").fetchone()[0]

    before = asked()
    browser.ask()
    wait_state(browser.panel, "results")
    assert asked() == before  # same address within minutes: no new request to the server
    note = browser.panel.text_content("#sent-note")  # and it says what that answer came from
    assert note.startswith("Answered from this panel's memory")
    assert json.loads(browser.panel.text_content("#payload"))["context"]["headings"]


def test_the_payload_holds_no_form_values_hidden_text_or_query(browser):
    payload = json.loads(browser.panel.text_content("#payload"))
    sent = json.dumps(payload)
    for secret in SECRETS:
        assert secret not in sent, secret
    assert payload["context"]["url"].endswith("/expense-report.html")
    assert "[REDACTED]" in payload["context"]["text"]
    assert payload["context"]["headings"] == ["New expense report", "Receipts", "Approval"]


def test_a_content_title_full_of_html_is_shown_as_text(browser):
    panel = browser.panel
    hostile = [t for t in browser.titles() if "<img" in t]
    assert hostile, browser.titles()
    assert panel.query_selector_all("#suggestions img") == []
    assert panel.title() == "jitlearn"  # the onerror handler never ran


def test_sports_page_gets_the_quiet_empty_state(browser, pages_server):
    browser.visit(f"{pages_server}/sports.html")
    browser.ask()
    wait_state(browser.panel, "empty")
    assert "Nothing matches this page" in browser.panel.inner_text("#state")
    assert not browser.panel.is_visible("#more")  # no "Show more" when there is nothing
    shot(browser.panel, "4-empty")


def test_text_is_cut_between_characters_never_inside_one(browser, pages_server):
    browser.visit(f"{pages_server}/emoji.html")  # title and text cross their limits mid-emoji
    browser.ask()
    sent = browser.panel.text_content("#payload")
    sent.encode("utf-8")  # a lone surrogate (half an emoji) would fail here, and on the server
    context = json.loads(sent)["context"]
    assert context["title"].endswith("\U0001F4B6") and context["text"].endswith("\U0001F4B6")
    assert browser.panel.get_attribute("body", "data-state") in ("results", "empty")


def test_not_relevant_hides_the_item_and_it_stays_hidden(browser, pages_server):
    browser.visit(f"{pages_server}/expense-report.html")
    browser.ask()
    wait_state(browser.panel, "results")
    target = browser.titles()[1]
    card = browser.panel.query_selector_all("#suggestions .card")[1]
    card.query_selector("button[data-action=not_relevant]").click()
    wait_text(browser.panel, "#announce", lambda t: t.endswith("hidden"))
    assert target not in browser.titles()
    browser.ask()
    wait_state(browser.panel, "results")
    assert target not in browser.titles() and browser.titles()


def test_selection_is_sent_only_when_the_person_asks_for_it(browser, pages_server):
    browser.visit(f"{pages_server}/expense-report.html?sel")
    browser.tab.evaluate("""() => {
        const range = document.createRange();
        range.selectNodeContents(document.querySelector('main p:last-of-type'));
        getSelection().removeAllRanges(); getSelection().addRange(range); }""")
    browser.ask()
    assert "selection" not in json.loads(browser.panel.text_content("#payload"))["context"]
    # what the context menu and Alt+Shift+L do (browser chrome a test cannot click)
    before = browser.answers()
    browser.worker.evaluate("""async () => { const [tab] = await chrome.tabs.query(
        {active: true, windowType: 'normal'}); await chrome.storage.session.set(
        {request: {tabId: tab.id, withSelection: true, at: Date.now()}}); }""")
    browser.wait_answer(before)
    selection = json.loads(browser.panel.text_content("#payload"))["context"]["selection"]
    assert "finance reimburses it" in selection


def set_option(browser, field, value):
    options = browser.options()
    options.fill(field, value)
    options.click("#prefs button[type=submit]")
    wait_text(options, "#saved", lambda t: t.startswith("Saved"))
    options.close()


def test_a_denied_site_is_never_read(browser, pages_server):
    set_option(browser, "#denySites", "127.0.0.1")
    browser.visit(f"{pages_server}/expense-report.html?denied")
    before = browser.panel.text_content("#payload")
    browser.ask()
    wait_state(browser.panel, "denied")
    assert browser.panel.text_content("#payload") == before  # nothing captured, nothing sent
    set_option(browser, "#denySites", "")


def test_keyboard_works_and_the_panel_passes_an_accessibility_check(browser, pages_server):
    browser.visit(f"{pages_server}/expense-report.html?keyboard")
    browser.ask()
    panel = browser.panel
    wait_state(panel, "results")
    panel.focus("#ask")
    for _ in range(40):  # tab through to the first Helpful button
        panel.keyboard.press("Tab")
        if panel.evaluate("() => document.activeElement.dataset.action") == "helpful":
            break
    panel.keyboard.press("Enter")
    wait_text(panel, "#announce", lambda t: "helpful" in t)
    assert panel.get_attribute(".card button[data-action=helpful]", "aria-pressed") == "true"
    assert axe_violations(panel) == []


def axe_violations(page):
    """axe-core's violations on the page as it is now, one line each."""
    axe = (ROOT / "extension" / "node_modules" / "axe-core" / "axe.min.js")
    if not axe.exists():
        pytest.fail("axe-core is missing: run make test, which installs the extension's tools")
    page.evaluate(axe.read_text() + "\n;0")
    return page.evaluate("""async () =>
        (await axe.run(document, {resultTypes: ['violations']}))
        .violations.map(v => `${v.id} (${v.impact}): ${v.nodes.length}`)""")


def tab_to(page, label, presses=30):
    """Press Tab until the focused element reads label; fails if it never does."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.textContent") == label:
            return
    raise AssertionError(f"Tab never reached {label!r}")


def test_readable_at_200_percent_zoom(browser):
    panel = browser.panel
    panel.set_viewport_size({"width": 210, "height": 450})  # the 420 px panel at 200 % zoom
    overflow = panel.evaluate("() => document.documentElement.scrollWidth - "
                              "document.documentElement.clientWidth")
    shot(panel, "5-zoom-200")
    panel.set_viewport_size({"width": 420, "height": 900})
    assert overflow <= 0


def test_single_page_app_navigation_is_followed_in_automatic_mode(browser, pages_server):
    options = browser.options()
    options.check("input[name=mode][value=automatic]")
    options.fill("#allowSites", "127.0.0.1")
    options.click("#prefs button[type=submit]")
    wait_text(options, "#saved", lambda t: t == "Saved.")
    options.close()
    browser.visit(f"{pages_server}/spa/inbox")
    browser.open_panel()
    browser.tab.evaluate("() => window.openTicket()")  # pushState: the URL changes, no reload
    deadline = time.monotonic() + 10
    while "Parental Leave" not in browser.titles() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "Parental Leave" in browser.titles()
    assert json.loads(browser.panel.text_content("#payload"))["context"]["url"].endswith(
        "/spa/ticket-42")


def test_automatic_mode_stops_at_the_daily_limit(browser, pages_server):
    set_option(browser, "#dailyLimit", "0")
    browser.visit(f"{pages_server}/sports.html?page=2")
    wait_state(browser.panel, "limit")
    browser.ask()  # asking on demand is never limited
    wait_state(browser.panel, "empty")


def test_pause_and_unreachable_server_have_their_own_states(browser, pages_server):
    panel = browser.panel
    panel.click("#pause")
    wait_state(panel, "paused")
    shot(panel, "6-paused")
    panel.click("#pause")
    options = browser.options()
    options.fill("#serverUrl", "http://127.0.0.1:9")  # nothing listens on the discard port
    options.click("#connect button[type=submit]")
    wait_text(options, "#status", lambda t: t.startswith("No answer"))
    options.close()
    browser.visit(f"{pages_server}/sports.html")
    browser.ask()
    wait_state(panel, "empty")  # the new address was not saved: the old server still answers
    # the server goes away (its address now points where nothing listens)
    saved = browser.worker.evaluate("chrome.storage.local.get('settings')")["settings"]
    browser.worker.evaluate("s => chrome.storage.local.set({settings: s})",
                            {**saved, "serverUrl": "http://127.0.0.1:9"})
    browser.visit(f"{pages_server}/spa/never-asked-before")  # not in the panel's cache
    browser.ask()
    wait_state(panel, "unreachable")
    assert "does not answer" in panel.inner_text("#state")
    shot(panel, "8-unreachable")
    browser.worker.evaluate("s => chrome.storage.local.set({settings: s})", saved)


def test_managed_policy_locks_settings_and_takes_effect(service, person, pages_server,
                                                        playwright, tmp_path):
    """Chromium reads 3rd-party extension policy from its managed policy folder at start."""
    try:
        POLICY_DIR.mkdir(parents=True, exist_ok=True)
        policy = POLICY_DIR / "jitlearn-e2e-test.json"
        policy.write_text(json.dumps({"3rdparty": {"extensions": {EXTENSION_ID: {
            "serverUrl": service[0], "mode": "automatic", "allowSites": ["127.0.0.1"],
            "sendSnippet": False}}}}))
    except PermissionError:
        pytest.skip("writing Chromium's managed policy needs root")
    extension = build(tmp_path / "jitlearn", ["http://127.0.0.1/*"], unpacked=True)
    try:
        ctx, worker = launch(playwright, extension, tmp_path / "profile")
        b = Browser(ctx, worker)
        options = b.options()
        options.wait_for_selector("#serverUrl:disabled")  # the page reads the policy first
        assert options.is_disabled("#sendSnippet") and not options.is_disabled("#token")
        assert options.is_visible("#locked") and options.input_value("#serverUrl") == service[0]
        options.fill("#token", person)
        options.click("#connect button[type=submit]")
        assert wait_text(options, "#status", lambda t: t.startswith(("Connected", "No"))) \
            == "Connected as panel-user."
        shot(options, "7-managed-options")
        options.close()
        b.visit(f"{pages_server}/expense-report.html")
        panel = b.open_panel()
        wait_state(panel, "consent")
        panel.click("#state button")
        b.visit(f"{pages_server}/expense-report.html#again")  # automatic: no button pressed
        wait_state(panel, "results")
        payload = json.loads(panel.text_content("#payload"))
        assert "text" not in payload["context"]  # the admin turned snippets off
        ctx.close()
    finally:
        policy.unlink()


def test_the_public_build_offers_the_browsers_question_on_a_page_it_may_not_read(
        service, person, pages_server, playwright, tmp_path):
    """Built with no sites granted, as a person installing it themselves gets it: the panel's main
    button asks the browser to allow reading pages, instead of sending people to the toolbar."""
    extension = build(tmp_path / "jitlearn", [], unpacked=True)
    ctx, worker = launch(playwright, extension, tmp_path / "profile")
    try:
        b = Browser(ctx, worker)
        assert b.connect(service[0], person) == "Connected as panel-user."
        b.visit(f"{pages_server}/expense-report.html?public")
        panel = b.open_panel()
        wait_state(panel, "consent")
        panel.click("#state button")
        wait_state(panel, "no-access")  # opened, not from the toolbar: no one-time access
        text = panel.inner_text("#state")
        assert "toolbar" not in text and "Alt+Shift+L" in text
        assert panel.inner_text("#state button.primary") == "Allow reading pages"
        assert axe_violations(panel) == []
        shot(panel, "9-no-access")
        panel.focus("#ask")
        tab_to(panel, "Allow reading pages")
        panel.keyboard.press("Enter")
        wait_state(panel, "asking")
        assert "Choose Allow" in panel.inner_text("#state")
        # The browser's own dialog is open now. It is browser UI, which no page script or test
        # driver can press, so this test stops at the question; nothing is granted before it.
        assert worker.evaluate("chrome.permissions.getAll()")["origins"] == []
    finally:
        ctx.close()


def test_beside_the_documents_an_opportunity_and_a_colleague_to_ask(
        browser, service, person, pages_server, serve, cli, http, tmp_path):
    """A manager posts an opportunity and offers to be asked about budgeting; an engineer aiming
    at engineering manager finds it in the feed with its reason and, on the budgeting cycle page,
    beside the documents, with the manager to ask; says interested; the manager alone sees it;
    once filled it is gone. The expert is never shown to themselves, and is gone when they opt
    out or are deactivated."""
    env = {**service[3], "JITLEARN_HOME": str(tmp_path)}
    cli(env, "ingest", "--source", "samples", str(ROOT / "samples" / "content"))
    cli(env, "import", "roles", str(ROOT / "samples" / "career" / "roles.csv"))
    cli(env, "users", "add", "dana", "--role", "manager", "--email", "dana@example.com",
        "--groups", "finance,managers")
    cli(env, "users", "add", "eli", "--groups", "engineering")
    dana, eli = (cli(env, "tokens", "create", name) for name in ("dana", "eli"))
    proc, base = serve(env)
    try:
        status, posted = http(base, "/api/v1/opportunities", {
            "title": "Join the FY27 budgeting cycle", "skills": ["Budgeting"], "kind": "cycle",
            "hours_per_week": 2, "ends": "2099-01-31", "places": ["Remote"]}, dana)
        assert status == 201, posted
        http(base, "/api/v1/me/profile", {"department": "Finance"}, dana, "PUT")
        http(base, "/api/v1/me/skills", {"skill": "Budgeting", "level": 4}, dana)
        assert http(base, "/api/v1/me/expertise", {"skills": [
            {"skill": "Budgeting", "show": {"rating": True, "role": False,
                                            "documents": False}}]}, dana, "PUT")[0] == 200
        http(base, "/api/v1/me/profile", {"current_title": "Software Engineer",
                                          "target_roles": ["org:engineering-manager"]}, eli, "PUT")
        feed = http(base, "/api/v1/me/feed", token=eli)[1]["opportunities"]
        assert [o["title"] for o in feed] == ["Join the FY27 budgeting cycle"]
        assert feed[0]["why"].startswith("Builds budgeting, needed for Engineering Manager")

        assert browser.connect(base, eli) == "Connected as eli."
        browser.visit(f"{pages_server}/budgeting-cycle.html")
        browser.ask()
        panel = browser.panel
        wait_state(panel, "results")
        assert browser.titles()  # the documents first
        others = panel.query_selector_all("#others .card")
        assert [c.query_selector("h3").inner_text() for c in others] == [
            "Join the FY27 budgeting cycle", "Ask dana"]
        assert "Builds budgeting" in others[0].inner_text()
        assert "budgeting: proficient (own rating)" in others[1].inner_text()
        assert others[1].query_selector("h3 a").get_attribute("href") == "mailto:dana@example.com"
        assert axe_violations(panel) == []
        SHOTS.mkdir(parents=True, exist_ok=True)  # the whole panel: documents, then the rest
        panel.screenshot(path=str(SHOTS / "10-beyond-documents.png"), full_page=True)
        panel.click("#others .card button")
        wait_text(panel, "#others .card button", lambda t: t == "Sent to dana")
        interested = http(base, f"/api/v1/opportunities/{posted['id']}/interest", token=dana)[1]
        assert [p["name"] for p in interested["interested"]] == ["eli"]
        assert http(base, f"/api/v1/opportunities/{posted['id']}/interest", token=eli)[0] == 403

        page = {"context": {"title": "FY27 budgeting cycle: call for volunteers - Finance",
                            "text": "We start the FY27 budget cycle next week. Budget owners "
                                    "plan headcount and opex per cost center."}}
        assert http(base, "/api/v1/suggestions", page, dana)[1]["experts"] == []  # not herself
        http(base, f"/api/v1/opportunities/{posted['id']}", {"state": "filled"}, dana, "PATCH")
        assert http(base, "/api/v1/me/feed", token=eli)[1]["opportunities"] == []
        answer = http(base, "/api/v1/suggestions", page, eli)[1]
        assert answer["opportunities"] == [] and [e["name"] for e in answer["experts"]] == ["dana"]
        http(base, "/api/v1/me/expertise", {"skills": []}, dana, "PUT")  # she opts out
        assert http(base, "/api/v1/suggestions", page, eli)[1]["experts"] == []
        http(base, "/api/v1/me/expertise", {"skills": [{"skill": "Budgeting"}]}, dana, "PUT")
        assert http(base, "/api/v1/suggestions", page, eli)[1]["experts"] != []
        cli(env, "users", "deactivate", "dana")
        assert http(base, "/api/v1/suggestions", page, eli)[1]["experts"] == []
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        proc.stdout.close()
        browser.connect(service[0], person)


def test_a_page_whose_every_match_the_person_hid_says_so_not_that_nothing_fits(
        browser, service, pages_server, serve, cli, tmp_path):
    """Marking cards done or not relevant hides them; when nothing is left, the panel says the
    person hid what fits (and offers to ask again), where a page that is not work gets
    "Nothing matches this page"."""
    env = {**service[3], "JITLEARN_HOME": str(tmp_path)}
    cli(env, "ingest", "--source", "samples", str(ROOT / "samples" / "content"))
    cli(env, "users", "add", "fay")
    proc, base = serve(env)
    try:
        assert browser.connect(base, cli(env, "tokens", "create", "fay")) == "Connected as fay."
        browser.visit(f"{pages_server}/budgeting-cycle.html")
        panel = browser.panel
        for _ in range(30):
            browser.ask()
            state = panel.get_attribute("body", "data-state")
            assert state in ("results", "seen"), state
            if state == "seen":
                break
            for card in panel.query_selector_all("#suggestions .card"):
                card.query_selector("button[data-action=completed]").click()
            wait_state(panel, "seen")  # the last card gone: hidden here, the server not asked
            assert "Ask again" in panel.inner_text("#state")
        text = panel.inner_text("#state")
        assert "Nothing new for this page" in text and "marked everything" in text
        assert axe_violations(panel) == []
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        proc.stdout.close()
