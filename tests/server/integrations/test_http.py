"""Sources fetch only public addresses, re-checked on every redirect, and end by their deadline."""

import time
from http.server import BaseHTTPRequestHandler

import pytest

from server.integrations.http import Allowed, Refused, TooMuch, fetch


class Pages(BaseHTTPRequestHandler):
    """/page: a page; /to?u=URL: a redirect there; /drip: a body a byte at a time;
    /slow-headers: headers a byte at a time."""

    def do_GET(self):
        if self.path.startswith("/to?u="):
            self.send_response(302)
            self.send_header("Location", self.path.split("=", 1)[1])
            self.end_headers()
        elif self.path == "/drip":
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            for _ in range(1000):
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(0.05)
        elif self.path == "/slow-headers":
            for byte in b"HTTP/1.1 200 OK\r\nX-Padding: " + b"y" * 1000:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(0.05)
        else:
            self.send_response(200)
            self.send_header("Content-Length", "5")
            self.end_headers()
            self.wfile.write(b"hello")

    def log_message(self, *args):
        pass


@pytest.fixture
def site(loopback):
    return loopback(Pages)


def test_internal_addresses_are_refused_unless_an_admin_allowed_them(site):
    with pytest.raises(Refused, match="internal address"):
        fetch(f"{site}/page")
    assert fetch(f"{site}/page", allowed=Allowed("127.0.0.1")) == b"hello"
    assert fetch(f"{site}/page", allowed=Allowed("127.0.0.0/8")) == b"hello"
    localhost = site.replace("127.0.0.1", "localhost")
    with pytest.raises(Refused):  # a name that resolves to loopback is loopback
        fetch(f"{localhost}/page")


@pytest.mark.parametrize("address", ["127.0.0.1", "10.1.2.3", "172.16.0.9", "192.168.1.1",
                                     "169.254.169.254", "100.64.0.1", "0.0.0.0", "::1",
                                     "fd00::1", "fe80::1", "::ffff:127.0.0.1", "224.0.0.1"])
def test_every_kind_of_internal_address_is_refused(address):
    with pytest.raises(Refused):
        Allowed().check("anything.example.com", address)
    Allowed().check("public.example.com", "93.184.216.34")  # a public address passes


def test_a_redirect_to_an_internal_address_is_not_followed(site):
    allowed = Allowed("localhost")  # the intranet host by name; 127.0.0.1 itself is not allowed
    localhost = site.replace("127.0.0.1", "localhost")
    assert fetch(f"{localhost}/to?u={localhost}/page", allowed=allowed) == b"hello"
    with pytest.raises(Refused, match="internal address"):
        fetch(f"{localhost}/to?u={site}/page", allowed=allowed)
    with pytest.raises(Refused, match="only http"):
        fetch(f"{localhost}/to?u=file:///etc/passwd", allowed=allowed)


def test_a_server_that_drips_bytes_is_cut_off_at_the_deadline(site):
    allowed = Allowed("127.0.0.1")
    for path in ("/drip", "/slow-headers"):
        started = time.monotonic()
        with pytest.raises(TooMuch, match="deadline"):
            fetch(f"{site}{path}", allowed=allowed, timeout=5, deadline=1.0)
        assert time.monotonic() - started < 3, path


def test_a_refused_address_is_never_connected_to():
    """Refused before any packet: no port scan of internal hosts through a source's address."""
    import socket

    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listener.settimeout(0.5)
        with pytest.raises(Refused):
            fetch(f"http://127.0.0.1:{listener.getsockname()[1]}/feed.xml")
        with pytest.raises(TimeoutError):
            listener.accept()  # nothing knocked
