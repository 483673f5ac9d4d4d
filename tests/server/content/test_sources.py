"""Sources sync incrementally: feeds and sitemaps over real local HTTP, folders on disk."""

import json
import time
from http.server import BaseHTTPRequestHandler

import pytest

from server.content.sources import add_source, remove_source, sync_source
from server.people.users import add_user, create_token
from server.state import runtime_of
from server.storage import db


class Site:
    """A tiny web server whose pages the test edits; it counts what was fetched."""

    def __init__(self, loopback):
        self.pages: dict[str, tuple[int, bytes]] = {}
        self.hits: list[str] = []
        self.delays: dict[str, float] = {}  # path -> seconds before it answers
        self.queued: dict[str, list[tuple[int, bytes]]] = {}  # answers given once, in order
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                site.hits.append(self.path)
                time.sleep(site.delays.get(self.path, 0))
                queued = site.queued.get(self.path)
                status, body = queued.pop(0) if queued else \
                    site.pages.get(self.path, (404, b"not here"))
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.base = loopback(Handler)


@pytest.fixture
def site(loopback):
    return Site(loopback)


@pytest.fixture
def lib(tmp_path):
    """An app with its own, empty index (sources write to it)."""
    from server.app import create_app

    # the test's sites are on loopback, which sources may fetch only when an admin allows it
    return create_app({"HOME": str(tmp_path), "MODEL": "", "TESTING": True,
                       "FETCH_ALLOW_HOSTS": "127.0.0.1"})


def rss(*entries: tuple[str, str]) -> bytes:
    items = "".join(f"<item><title>{t}</title><link>https://blog.example.com/{k}</link>"
                    f"<guid>{k}</guid><description>{t}: details for the expense report."
                    f"</description></item>" for k, t in entries)
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>L&amp;D</title>'
            f"{items}</channel></rss>").encode()


def page(title: str) -> bytes:
    return (f"<html><head><title>{title}</title></head><body><main><h1>{title}</h1>"
            f"<p>{title} explained for everyone who files an expense report or books travel."
            f"</p><p>Ask finance when in doubt.</p></main></body></html>").encode()


def test_feed_entries_are_added_updated_and_withdrawn(lib, site):
    site.pages["/feed.xml"] = (200, rss(("a", "Expense tips"), ("b", "Travel tips")))
    with lib.app_context():
        s = db.session()
        add_source(s, "blog", "feed", f"{site.base}/feed.xml", every=30)
        assert sync_source(lib, s, "blog").last_counts["added"] == 2
        site.pages["/feed.xml"] = (200, rss(("a", "Expense tips, revised")))
        counts = sync_source(lib, s, "blog").last_counts
        assert (counts["updated"], counts["withdrawn"]) == (1, 1)
        ix = runtime_of(lib).index
        assert ix.get("blog:a").title == "Expense tips, revised" and ix.get("blog:b") is None


def test_sitemap_fetches_only_pages_whose_lastmod_changed(lib, site):
    def sitemap(mod_b):
        return (f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                f"<url><loc>{site.base}/a</loc><lastmod>2026-01-01</lastmod></url>"
                f"<url><loc>{site.base}/b</loc><lastmod>{mod_b}</lastmod></url></urlset>").encode()

    site.pages.update({"/sitemap.xml": (200, sitemap("2026-01-01")),
                       "/a": (200, page("Expense policy")), "/b": (200, page("Travel policy"))})
    with lib.app_context():
        s = db.session()
        add_source(s, "intranet", "sitemap", f"{site.base}/sitemap.xml")
        assert sync_source(lib, s, "intranet").last_counts["added"] == 2
        site.hits.clear()
        site.pages.update({"/sitemap.xml": (200, sitemap("2026-02-01")),
                           "/b": (200, page("Travel policy 2026"))})
        counts = sync_source(lib, s, "intranet").last_counts
        assert site.hits == ["/sitemap.xml", "/b"]  # /a was not fetched again
        assert (counts["updated"], counts["unchanged"]) == (1, 1)
        doc = runtime_of(lib).index.get(f"intranet:{site.base}/b")
        assert doc.title == "Travel policy 2026"


def test_a_failing_source_records_why_and_the_others_still_sync(lib, site, tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "leave.md").write_text("# Leave policy\nTwenty-five days.")
    with lib.app_context():
        s = db.session()
        add_source(s, "gone", "feed", f"{site.base}/missing.xml")
        add_source(s, "hr", "folder", str(folder))
        failed = sync_source(lib, s, "gone")
        assert failed.last_status == "failed" and "404" in failed.last_failures[0][1]
        assert sync_source(lib, s, "hr").last_counts["added"] == 1


def test_a_feed_that_times_out_is_retried_then_reported_and_its_items_stay(lib, site):
    lib.config["FETCH_TIMEOUT"] = 0.3
    site.pages["/feed.xml"] = (200, rss(("a", "Expense tips")))
    with lib.app_context():
        s = db.session()
        add_source(s, "blog", "feed", f"{site.base}/feed.xml")
        sync_source(lib, s, "blog")
        site.hits.clear()
        site.delays["/feed.xml"] = 2
        started = time.monotonic()
        source = sync_source(lib, s, "blog")
        assert time.monotonic() - started < 5  # 3 attempts of 0.3 s, 0.5 s and 1 s apart
        assert site.hits == ["/feed.xml"] * 3
        assert source.last_status == "failed" and "timed out" in source.last_failures[0][1]
        assert runtime_of(lib).index.get("blog:a").title == "Expense tips"


def test_a_server_error_is_retried_and_an_oversized_feed_refused(lib, site):
    lib.config["FETCH_MAX_BYTES"] = 2_000
    site.queued["/flaky.xml"] = [(503, b"busy")]  # then the server is back
    site.pages["/flaky.xml"] = (200, rss(("a", "Expense tips")))
    site.pages["/huge.xml"] = (200, rss(*[(str(i), "Expense tips " * 20) for i in range(20)]))
    with lib.app_context():
        s = db.session()
        add_source(s, "flaky", "feed", f"{site.base}/flaky.xml")
        add_source(s, "huge", "feed", f"{site.base}/huge.xml")
        flaky = sync_source(lib, s, "flaky")
        assert site.hits == ["/flaky.xml"] * 2
        assert flaky.last_status == "ok" and flaky.last_counts["added"] == 1
        huge = sync_source(lib, s, "huge")
        assert huge.last_status == "failed"
        assert huge.last_failures[0][1] == "larger than the limit of 2,000 bytes"


def test_a_page_that_breaks_keeps_its_last_good_version(lib, site):
    sm = (f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
          f"<url><loc>{site.base}/a</loc></url></urlset>").encode()
    site.pages.update({"/sm.xml": (200, sm), "/a": (200, page("Gifts policy"))})
    with lib.app_context():
        s = db.session()
        add_source(s, "web", "sitemap", f"{site.base}/sm.xml")
        sync_source(lib, s, "web")
        site.pages["/a"] = (500, b"oops")
        source = sync_source(lib, s, "web")
        assert source.last_status == "partial" and "500" in source.last_failures[0][1]
        assert runtime_of(lib).index.get(f"web:{site.base}/a").title == "Gifts policy"


def test_removing_a_source_withdraws_its_documents(lib, site):
    site.pages["/feed.xml"] = (200, rss(("a", "Expense tips")))
    with lib.app_context():
        s = db.session()
        add_source(s, "blog", "feed", f"{site.base}/feed.xml")
        sync_source(lib, s, "blog")
        assert remove_source(lib, s, "blog") == 1
        assert runtime_of(lib).index.get("blog:a") is None


@pytest.mark.parametrize("name, kind, location, every, error", [
    ("bad name!", "feed", "https://x.example/f", 60, "invalid_name"),
    ("x", "ftp", "https://x.example/f", 60, "invalid_kind"),
    ("x", "feed", "file:///etc/passwd", 60, "invalid_location"),
    ("x", "folder", "/no/such/folder", 60, "invalid_location"),
    ("x", "feed", "https://x.example/f", 1, "invalid_schedule"),
])
def test_bad_sources_are_refused(lib, name, kind, location, every, error):
    from server.errors import ApiError

    with lib.app_context(), pytest.raises(ApiError) as info:
        add_source(db.session(), name, kind, location, every)
    assert info.value.code == error


def test_sources_api_is_for_ld_and_admins(client, make_token, site):
    site.pages["/feed.xml"] = (200, rss(("a", "Expense tips")))
    employee = {"Authorization": f"Bearer {make_token('emma')}"}
    lnd = {"Authorization": f"Bearer {make_token('lin', 'ld')}"}
    assert client.get("/api/v1/sources", headers=employee).status_code == 403
    body = {"name": "blog", "kind": "feed", "location": f"{site.base}/feed.xml"}
    assert client.post("/api/v1/sources", json=body, headers=lnd).status_code == 201
    assert client.post("/api/v1/sources", json=body, headers=lnd).status_code == 409
    listed = client.get("/api/v1/sources", headers=lnd).get_json()["sources"]
    assert [s["name"] for s in listed] == ["blog"] and listed[0]["last_status"] == "never"


def test_each_source_gets_one_job_on_its_own_schedule(lib, site, tmp_path):
    from apscheduler.schedulers.background import BackgroundScheduler

    from server.jobs.schedule import refresh_jobs
    from server.jobs.tasks import sync_job

    site.pages["/feed.xml"] = (200, rss(("a", "Expense tips")))
    scheduler = BackgroundScheduler()  # never started here: the jobs are checked, then run
    with lib.app_context():
        s = db.session()
        add_source(s, "blog", "feed", f"{site.base}/feed.xml", every=15)
        refresh_jobs(lib, scheduler)
        [job] = scheduler.get_jobs()
        assert job.id == "sync:blog" and job.trigger.interval.total_seconds() == 900
        assert (job.coalesce, job.max_instances) == (True, 1)
        sync_job(lib, "blog")  # what the scheduler would run
        assert runtime_of(lib).index.get("blog:a").title == "Expense tips"
        remove_source(lib, s, "blog")
        refresh_jobs(lib, scheduler)
        assert scheduler.get_jobs() == []


def test_a_source_that_never_ran_or_is_overdue_syncs_at_once_after_a_restart():
    from datetime import UTC, datetime, timedelta

    from server.jobs.schedule import due

    now = datetime.now(UTC)
    assert due(60, None) - now < timedelta(seconds=5)
    overdue = (now - timedelta(hours=3)).replace(tzinfo=None)
    assert due(60, overdue) - now < timedelta(seconds=5)
    recent = (now - timedelta(minutes=10)).replace(tzinfo=None)
    assert timedelta(minutes=49) < due(60, recent) - now < timedelta(minutes=51)


@pytest.fixture
def strict(tmp_path):
    """An app as installed: no internal host allowed, folder sources only under content/."""
    from server.app import create_app

    (tmp_path / "content").mkdir()
    return create_app({"HOME": str(tmp_path / "home"), "MODEL": "", "TESTING": True,
                       "SOURCE_ROOTS": str(tmp_path / "content")})


def lnd_client(app):
    from server.people.users import add_user, create_token

    with app.app_context():
        token = create_token(db.session(), add_user(db.session(), "lin", "ld"))
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client


def test_an_l_and_d_user_cannot_make_the_server_fetch_an_internal_address(strict, site):
    site.pages["/feed.xml"] = (200, rss(("a", "Expense tips")))
    client = lnd_client(strict)
    body = {"name": "blog", "kind": "feed", "location": f"{site.base}/feed.xml"}
    assert client.post("/api/v1/sources", json=body).status_code == 201
    answer = client.post("/api/v1/sources/blog/sync")
    assert answer.status_code == 200
    assert answer.get_json()["last_status"] == "failed"
    assert "internal address" in answer.get_json()["last_failures"][0][1]
    assert site.hits == []  # refused where the connection landed, before any request was sent
    assert client.get("/api/v1/content/blog:a").status_code == 404


def test_folder_sources_come_only_from_the_folders_the_admin_allowed(strict, tmp_path):
    client = lnd_client(strict)
    inside = tmp_path / "content" / "handbook"
    inside.mkdir()
    (inside / "leave.md").write_text("# Leave policy\nTwenty-five days.")
    for location in ("/etc", str(tmp_path / "content" / ".." / "home"), str(tmp_path),
                     "/no/such/folder"):
        answer = client.post("/api/v1/sources", json={
            "name": "x", "kind": "folder", "location": location})
        assert answer.status_code == 403, location
        assert answer.get_json()["error"] == "folder_not_allowed"
        assert "JITLEARN_SOURCE_ROOTS" in answer.get_json()["message"]
    answer = client.post("/api/v1/sources", json={
        "name": "hb", "kind": "folder", "location": str(inside)})
    assert answer.status_code == 201
    assert client.post("/api/v1/sources/hb/sync").get_json()["last_counts"]["added"] == 1
    strict.config["SOURCE_ROOTS"] = str(tmp_path)  # even when allowed, never the data folder
    answer = client.post("/api/v1/sources", json={
        "name": "all", "kind": "folder", "location": str(tmp_path)})
    assert answer.status_code == 403 and "data directory" in answer.get_json()["message"]


def test_a_hostile_file_fails_alone_in_a_sync_through_the_api(strict, tmp_path):
    import os

    client = lnd_client(strict)
    folder = tmp_path / "content" / "hb"
    folder.mkdir()
    (folder / "leave.md").write_text("# Leave policy\nTwenty-five days.")
    (folder / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    os.mkfifo(folder / "pipe.md")
    (folder / "key.txt").symlink_to(tmp_path / "home" / "secret_key")
    client.post("/api/v1/sources", json={"name": "hb", "kind": "folder", "location": str(folder)})
    answer = client.post("/api/v1/sources/hb/sync")
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["last_status"] == "partial" and body["last_counts"]["added"] == 1
    assert sorted(f[0] for f in body["last_failures"]) == ["deep.json", "key.txt", "pipe.md"]
    assert client.get("/api/v1/content/hb:key.txt").status_code == 404


def test_syncs_of_different_sources_run_side_by_side_without_mixing(lib, tmp_path):
    import threading

    folders = {}
    for name in ("hr", "it", "finance", "legal"):
        folder = folders[name] = tmp_path / name
        folder.mkdir()
        for i in range(30):
            (folder / f"{name}-{i}.md").write_text(f"# {name} page {i}\nAbout {name}, part {i}.")
    with lib.app_context():
        for name, folder in folders.items():
            add_source(db.session(), name, "folder", str(folder))
    outcomes, start = {}, threading.Barrier(len(folders))

    def sync(name):
        with lib.app_context():
            start.wait()
            source = sync_source(lib, db.session(), name)
            outcomes[name] = (source.last_status, source.last_counts, source.last_failures)

    threads = [threading.Thread(target=sync, args=(n,)) for n in folders]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    for name in folders:
        status, counts, failures = outcomes[name]
        assert (status, counts["added"], failures) == ("ok", 30, []), name
        assert len(runtime_of(lib).index.hashes(name)) == 30


def test_a_source_already_syncing_answers_409(lib, tmp_path):
    import threading

    from server.errors import ApiError

    folder = tmp_path / "hb"
    folder.mkdir()
    (folder / "a.md").write_text("# A\nText.")
    entered, release = threading.Event(), threading.Event()

    def slow_tagger(doc):
        entered.set()
        release.wait(30)
        return {}

    with lib.app_context():
        add_source(db.session(), "hb", "folder", str(folder))

    def first():
        with lib.app_context():
            sync_source(lib, db.session(), "hb", tagger=slow_tagger)

    thread = threading.Thread(target=first)
    thread.start()
    try:
        assert entered.wait(30)
        with lib.app_context(), pytest.raises(ApiError) as info:
            sync_source(lib, db.session(), "hb")
        assert info.value.status == 409 and "being synced" in info.value.message
    finally:
        release.set()
        thread.join(30)
    with lib.app_context():
        assert sync_source(lib, db.session(), "hb").last_status == "ok"


def test_a_folder_source_with_an_address_template_gives_its_documents_addresses(lib, tmp_path):
    folder = tmp_path / "handbook"
    (folder / "finance").mkdir(parents=True)
    (folder / "finance" / "expenses.md").write_text("# Expense policy\nReceipts within 30 days.")
    lib.config["SOURCE_ROOTS"] = str(tmp_path)
    client = lib.test_client()
    with lib.app_context():
        admin = {"Authorization": "Bearer " + create_token(db.session(), add_user(
            db.session(), "root", "admin"))}
    made = client.post("/api/v1/sources", headers=admin, json={
        "name": "hb", "kind": "folder", "location": str(folder),
        "url_template": "https://handbook.example.com/{path}/"})
    assert made.status_code == 201 and made.get_json()["url_template"].endswith("{path}/")
    assert client.post("/api/v1/sources/hb/sync", headers=admin).status_code == 200
    doc = client.get("/api/v1/content/hb:finance/expenses.md", headers=admin).get_json()
    assert doc["url"] == "https://handbook.example.com/finance/expenses/"
    refused = client.post("/api/v1/sources", headers=admin, json={
        "name": "blog", "kind": "feed", "location": "https://blog.example.com/feed.xml",
        "url_template": "https://blog.example.com/{path}"})
    assert refused.status_code == 400 and refused.get_json()["error"] == "invalid_template"
    refused = client.post("/api/v1/sources", headers=admin, json={
        "name": "hb2", "kind": "folder", "location": str(folder),
        "url_template": "https://handbook.example.com/{secret_key}"})
    assert refused.status_code == 400 and "{secret_key}" in refused.get_json()["message"]


def test_an_hr_systems_opportunities_feed_syncs_like_a_content_source(lib, site):
    """A JSON feed of opportunities at an address, synced on its schedule: added, then updated
    and the missing one closed; a bad row fails alone; a feed that is not one says so; removing
    the source closes what it brought."""
    from sqlalchemy import select

    from server.storage.models import Opportunity

    feed = [{"id": "g1", "title": "Join the budgeting cycle", "hours_per_week": 2},
            {"id": "g2", "title": "Shadow an interview loop", "ends": "2099-01-31"},
            {"id": "g3", "title": "Broken", "ends": "31/01/2099"}]
    site.pages["/gigs.json"] = (200, json.dumps(feed).encode())
    with lib.app_context():
        s = db.session()
        add_source(s, "workday", "opportunities", f"{site.base}/gigs.json", every=60)
        source = sync_source(lib, s, "workday")
        assert source.last_status == "partial"
        assert source.last_counts == {"added": 2, "updated": 0, "closed": 0, "failed": 1}
        assert source.last_failures == [["row 3 (g3)", "ends: a date as YYYY-MM-DD, not "
                                                       "'31/01/2099'"]]
        site.pages["/gigs.json"] = (200, json.dumps(feed[:1]).encode())
        assert sync_source(lib, s, "workday").last_counts == {
            "added": 0, "updated": 1, "closed": 1, "failed": 0}
        states = dict(s.execute(select(Opportunity.external_id, Opportunity.state)).all())
        assert states == {"g1": "open", "g2": "closed"}
        site.pages["/gigs.json"] = (200, b"<html>not a feed</html>")
        failed = sync_source(lib, s, "workday")
        assert failed.last_status == "failed" and "header row naming at least id and title" \
            in failed.last_failures[0][1]
        assert s.scalar(select(Opportunity.state).where(Opportunity.external_id == "g1")) \
            == "open"  # a bad sync changes nothing
        assert remove_source(lib, s, "workday") == 1
        assert s.scalar(select(Opportunity.state).where(Opportunity.external_id == "g1")) \
            == "closed"
