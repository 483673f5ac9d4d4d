"""jitlearn's one HTTP client: every request it makes, bounded in size and time.

`request` is one exchange: the identity provider (oidc.py), the LRS (xapi.py) and the sources
(`fetch`) all go through it. Each ends by its deadline however slowly the other side drips bytes,
and reads no more than its limit.

A source's address is typed by an L&D user and a page's redirect by anyone on the internet, so
for them (`allowed`) every connection is checked before it is made: the name is resolved here,
each of its addresses must be a public one unless the admin allowed that host or network
(FETCH_ALLOW_HOSTS, for an intranet), and the socket connects to the address checked, on every
redirect too. The identity provider and the LRS are addresses an admin configured: they may be
internal and may need the environment's proxy, so they are not checked.
"""

import http.client
import ipaddress
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

TIMEOUT_S = 10
DEADLINE_S = 60  # a whole fetch, retries and redirects included
MAX_BYTES = 10 * 2**20
RETRIES = 3  # attempts in all; waits 0.5 s, then 1 s between them
MAX_REDIRECTS = 5
CHUNK = 64 * 1024
USER_AGENT = "jitlearn/0.1"


class FetchError(Exception):
    """The URL could not be fetched; the message says why (callers report it beside the URL)."""


class Refused(FetchError):
    """Not an address jitlearn fetches (internal, or not http(s)); asking again won't help."""


class TooMuch(FetchError):
    """Past a limit (size, deadline, redirects); asking again would only cost the same."""


class Allowed:
    """Hosts and networks an admin opened to fetching, from "intranet.example.com,10.2.0.0/16"."""

    def __init__(self, spec: str | list[str] = ""):
        items = spec.split(",") if isinstance(spec, str) else spec
        self.hosts, self.networks = set(), []
        for item in (i.strip().lower() for i in items):
            if not item:
                continue
            try:
                self.networks.append(ipaddress.ip_network(item, strict=False))
            except ValueError:
                self.hosts.add(item)

    def check(self, host: str, address: str) -> None:
        """Raise Refused unless address is public, or the host or address was allowed."""
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if getattr(ip, "ipv4_mapped", None):
            ip = ip.ipv4_mapped
        public = ip.is_global and not ip.is_multicast
        if public or host.lower() in self.hosts or any(ip in n for n in self.networks):
            return
        raise Refused(f"{host} is an internal address ({ip}); an admin can allow it "
                      "with JITLEARN_FETCH_ALLOW_HOSTS")


@dataclass
class Answer:
    status: int
    body: bytes


def request(url: str, *, data: bytes | None = None, headers: dict | None = None,
            method: str | None = None, timeout: float = TIMEOUT_S, max_bytes: int = MAX_BYTES,
            deadline: float = DEADLINE_S, allowed: Allowed | None = None) -> Answer:
    """One exchange; an error status is an Answer too. Redirects are followed for GET only.

    allowed: the hosts an address typed by a user may reach (each connection checked), or None
    for an endpoint the admin configured. Raises Refused, TooMuch (past max_bytes, the deadline
    or MAX_REDIRECTS), or OSError / http.client.HTTPException when there was no answer.
    """
    _check_scheme(url)
    ends = time.monotonic() + deadline
    timers: list[threading.Timer] = []
    proxies = urllib.request.ProxyHandler() if allowed is None else urllib.request.ProxyHandler({})
    opener = urllib.request.build_opener(proxies, _NoRedirect, *_handlers(allowed, ends, timers))
    headers = {"User-Agent": USER_AGENT, **(headers or {})}
    try:
        return _exchange(opener, url, data, headers, method, timeout, max_bytes, ends)
    except (OSError, http.client.HTTPException):
        if time.monotonic() >= ends:  # the watchdog cut the connection
            raise TooMuch("no full answer before the deadline") from None
        raise
    finally:
        for timer in timers:
            timer.cancel()


def fetch(url: str, timeout: float = TIMEOUT_S, max_bytes: int = MAX_BYTES,
          retries: int = RETRIES, allowed: Allowed | None = None,
          deadline: float = DEADLINE_S) -> bytes:
    """A source's page: GET with retries (a 5xx or 429 is asked again), public addresses only
    unless allowed; FetchError with the reason when there is no good answer."""
    allowed = allowed or Allowed()
    ends = time.monotonic() + deadline
    delay, last = 0.5, None
    for attempt in range(retries):
        try:
            answer = request(url, timeout=timeout, max_bytes=max_bytes, allowed=allowed,
                             deadline=ends - time.monotonic())
        except (Refused, TooMuch):
            raise
        except (TimeoutError, ConnectionError, OSError, http.client.HTTPException) as exc:
            last = f"no answer ({getattr(exc, 'reason', exc)})"
        else:
            if answer.status < 300:
                return answer.body
            last = f"the server answered {answer.status}"
            if answer.status < 500 and answer.status != 429:
                break  # a 404 or 403 will not change by asking again
        if attempt < retries - 1 and time.monotonic() + delay < ends:
            time.sleep(delay)
            delay *= 2
        elif attempt < retries - 1:
            break
    raise FetchError(last or "could not be fetched")


def _exchange(opener, url: str, data: bytes | None, headers: dict, method: str | None,
              timeout: float, max_bytes: int, ends: float) -> Answer:
    follows = data is None and method in (None, "GET")
    for _ in range(MAX_REDIRECTS + 1):
        left = ends - time.monotonic()
        if left <= 0:
            raise TooMuch("no full answer before the deadline")
        req = urllib.request.Request(url, data=data, headers=headers, method=method)
        try:
            with opener.open(req, timeout=min(timeout, left)) as response:
                if follows and response.status in (301, 302, 303, 307, 308):
                    url = urllib.parse.urljoin(url, response.headers.get("Location", ""))
                    _check_scheme(url)
                    continue
                return Answer(response.status, _read(response, max_bytes, ends))
        except urllib.error.HTTPError as exc:
            with exc:  # the answer's socket is closed, not left to the garbage collector
                return Answer(exc.code, _read(exc, max_bytes, ends))
    raise TooMuch(f"more than {MAX_REDIRECTS} redirects")


def _read(response, max_bytes: int, ends: float) -> bytes:
    """The body; TooMuch past max_bytes or the deadline (a server dripping a byte a second)."""
    parts, size = [], 0
    while True:
        if time.monotonic() > ends:
            raise TooMuch("no full answer before the fetch's deadline")
        chunk = response.read1(CHUNK) if hasattr(response, "read1") else response.read(CHUNK)
        if not chunk and time.monotonic() >= ends:  # cut by the watchdog, not the end
            raise TooMuch("no full answer before the fetch's deadline")
        if not chunk:
            return b"".join(parts)
        size += len(chunk)
        if size > max_bytes:
            raise TooMuch(f"larger than the limit of {_size(max_bytes)}")
        parts.append(chunk)


def _check_scheme(url: str) -> None:
    if not url.lower().startswith(("http://", "https://")):
        raise Refused("only http(s) addresses are fetched")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Hand redirects back to _get, which checks each new address before following it."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None

    def http_error_302(self, req, fp, code, msg, headers):
        return fp

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302


def _handlers(allowed: Allowed | None, ends: float, timers: list) -> list:
    """urllib handlers whose connections go only to allowed addresses (any, when None).

    The name is resolved here and every address it has is checked before any packet is sent;
    the connection then goes to the address checked (a name that resolves anew to an internal
    address gets nowhere). Each connection also gets a watchdog that shuts it at the deadline:
    a server can send its headers a byte at a time, and each byte would restart the socket's
    own timeout.
    """

    def connect(address, timeout=None, source_address=None):
        host, port = address
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        for *_, sockaddr in found:
            if allowed is not None:
                allowed.check(host, sockaddr[0])
        family, kind, proto, _, sockaddr = found[0]
        sock = socket.socket(family, kind, proto)
        try:
            if timeout is not None:
                sock.settimeout(timeout)
            if source_address:
                sock.bind(source_address)
            sock.connect(sockaddr)
        except OSError:
            sock.close()
            raise
        timer = threading.Timer(max(0.0, ends - time.monotonic()), _shut, [sock])
        timer.daemon = True
        timers.append(timer)
        timer.start()
        return sock

    def checked(connection):
        class Checked(connection):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                self._create_connection = connect
        return Checked

    plain, tls = checked(http.client.HTTPConnection), checked(http.client.HTTPSConnection)

    class Http(urllib.request.HTTPHandler):
        def http_open(self, req):
            return self.do_open(plain, req)

    class Https(urllib.request.HTTPSHandler):
        def https_open(self, req):
            return self.do_open(tls, req, context=self._context)

    return [Http, Https]


def _shut(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # already closed


def _size(n: int) -> str:
    return f"{n / 2**20:g} MB" if n >= 2**20 else f"{n:,} bytes"
