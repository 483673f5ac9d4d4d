"""The scheduler in a real `jitlearn serve`: feed and sitemap sources sync on their own."""

import os
import socket
import subprocess
import time
from http.server import BaseHTTPRequestHandler

import pytest

pytestmark = pytest.mark.e2e

PAGE = ("<html><head><title>{title}</title></head><body><nav><a href='/'>Home</a></nav><main>"
        "<h1>{title}</h1><p>{text}</p></main></body></html>")


@pytest.fixture
def intranet(loopback):
    """A web server with a blog feed, a sitemap and two intranet pages."""
    from feedgen.feed import FeedGenerator

    pages = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            body = pages.get(self.path)
            self.send_response(200 if body else 404)
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, *args):
            pass

    base = loopback(Handler)
    fg = FeedGenerator()
    fg.id(f"{base}/blog")
    fg.title("L&D blog")
    fg.link(href=f"{base}/blog", rel="alternate")
    fg.description("What is new in learning")
    entry = fg.add_entry()
    entry.id(f"{base}/blog/onboarding-buddies")
    entry.title("Onboarding buddies: how to welcome a new hire")
    entry.link(href=f"{base}/blog/onboarding-buddies")
    entry.description("Every new hire gets an onboarding buddy for the first month.")
    pages.update({
        "/blog.rss": fg.rss_str(),
        "/sitemap.xml": (f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/'
                         f'schemas/sitemap/0.9"><url><loc>{base}/travel</loc><lastmod>2026-11-01'
                         f'</lastmod></url><url><loc>{base}/security</loc></url></urlset>'
                         ).encode(),
        "/travel": PAGE.format(title="Travel booking policy", text="Book flights and hotels "
                               "in the travel tool; economy class under six hours.").encode(),
        "/security": PAGE.format(title="Phishing: report suspicious email", text="Forward "
                                 "phishing email to the security team.").encode(),
    })
    return base


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_with_the_scheduler_syncs_feed_and_sitemap_sources(tmp_path, intranet, http,
                                                                jitlearn_bin):
    env = {**os.environ, "JITLEARN_HOME": str(tmp_path), "JITLEARN_LOG_LEVEL": "WARNING",
           "JITLEARN_SCHEDULER_ENABLED": "true", "JITLEARN_MODEL": "",
           "JITLEARN_FETCH_ALLOW_HOSTS": "127.0.0.1"}  # the test's intranet is on loopback

    def cli(*args):
        return subprocess.run([str(jitlearn_bin), *args], env=env, check=True, capture_output=True,
                              text=True).stdout.strip()

    cli("sources", "add", "blog", "--feed", f"{intranet}/blog.rss", "--every", "30")
    cli("sources", "add", "intranet", "--sitemap", f"{intranet}/sitemap.xml", "--every", "60")
    cli("users", "add", "lena", "--role", "ld")
    token = cli("tokens", "create", "lena")
    port = free_port()
    proc = subprocess.Popen([str(jitlearn_bin), "serve", "--port", str(port)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline, sources = time.monotonic() + 60, []
        while time.monotonic() < deadline:  # nobody asks for a sync: the scheduler runs them
            try:
                status, body = http(base, "/api/v1/sources", token=token)
                sources = body.get("sources", []) if status == 200 else []
            except OSError:
                sources = []
            if sources and all(s["last_status"] != "never" for s in sources):
                break
            time.sleep(0.5)
        by_name = {s["name"]: s for s in sources}
        assert by_name["blog"]["last_status"] == "ok", sources
        assert by_name["blog"]["last_counts"]["added"] == 1
        assert by_name["intranet"]["last_status"] == "ok", sources
        assert by_name["intranet"]["last_counts"]["added"] == 2
        status, found = http(base, "/api/v1/search?q=phishing", token=token)
        assert status == 200 and [r["id"] for r in found["results"]] == [
            f"intranet:{intranet}/security"]
        status, found = http(base, "/api/v1/search?q=buddy", token=token)
        assert found["results"][0]["title"] == "Onboarding buddies: how to welcome a new hire"
    finally:
        proc.terminate()
        output = proc.communicate(timeout=10)[0]
    assert "Traceback" not in output


def test_serve_sends_learning_records_to_the_lrs(tmp_path, http, serve, jitlearn_bin, loopback):
    """A real server with the scheduler: a suggestion and a rating reach a loopback LRS."""
    import base64
    import json
    from pathlib import Path

    received = []

    class Lrs(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            ok = self.headers.get("X-Experience-API-Version") == "1.0.3" and \
                self.headers.get("Authorization") == "Basic " + base64.b64encode(
                    b"key:secret").decode()
            if ok:
                received.extend(json.loads(body))
            self.send_response(200 if ok else 400)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"[]")

        def log_message(self, *args):
            pass

    lrs = loopback(Lrs)
    env = {**os.environ, "JITLEARN_HOME": str(tmp_path), "JITLEARN_LOG_LEVEL": "WARNING",
           "JITLEARN_SCHEDULER_ENABLED": "true", "JITLEARN_XAPI_EVERY_SECONDS": "1",
           "JITLEARN_XAPI_ENDPOINT": f"{lrs}/xapi",
           "JITLEARN_XAPI_USERNAME": "key", "JITLEARN_XAPI_PASSWORD": "secret"}
    samples = Path(__file__).resolve().parents[2] / "samples" / "content"
    for args in (("ingest", "--source", "samples", str(samples)), ("users", "add", "ada")):
        subprocess.run([str(jitlearn_bin), *args], env=env, check=True, capture_output=True)
    token = subprocess.run([str(jitlearn_bin), "tokens", "create", "ada"], env=env, check=True,
                           capture_output=True, text=True).stdout.strip()
    proc, base = serve(env)
    try:
        status, body = http(base, "/api/v1/suggestions", {"context": {
            "title": "Submit an expense report"}}, token=token)
        assert status == 200 and body["suggestions"]
        shown = body["suggestions"][0]["id"]
        assert http(base, "/api/v1/feedback", {"request_id": body["request_id"],
                                               "content_id": shown, "action": "helpful"},
                    token=token)[0] == 201
        deadline = time.monotonic() + 30
        while len(received) < len(body["suggestions"]) + 1 and time.monotonic() < deadline:
            time.sleep(0.3)
        verbs = sorted(s["verb"]["display"]["en-US"] for s in received)
        assert verbs == ["rated"] + ["received"] * len(body["suggestions"]), verbs
    finally:
        proc.terminate()
        output = proc.communicate(timeout=10)[0]
    assert "Traceback" not in output
