"""Fetching over HTTP for feed and sitemap sources: timeouts, a size limit, retries with backoff."""

import time
import urllib.error
import urllib.request

TIMEOUT_S = 10
MAX_BYTES = 10 * 2**20
RETRIES = 3  # attempts in all; waits 0.5 s, then 1 s between them
USER_AGENT = "jitlearn-sync/0.1"


class FetchError(Exception):
    """The URL could not be fetched; the message says why (callers report it beside the URL)."""


def fetch(url: str, timeout: float = TIMEOUT_S, max_bytes: int = MAX_BYTES,
          retries: int = RETRIES) -> bytes:
    if not url.startswith(("http://", "https://")):
        raise FetchError("only http(s) addresses are fetched")
    delay, last = 0.5, None
    for attempt in range(retries):
        try:
            request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
            with urllib.request.urlopen(request, timeout=timeout) as response:
                data = response.read(max_bytes + 1)
            if len(data) > max_bytes:
                raise FetchError(f"larger than the limit of {_size(max_bytes)}")
            return data
        except urllib.error.HTTPError as exc:
            last = f"the server answered {exc.code}"
            if exc.code < 500 and exc.code != 429:
                break  # a 404 or 403 will not change by asking again
        except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
            last = f"no answer ({getattr(exc, 'reason', exc)})"
        if attempt < retries - 1:
            time.sleep(delay)
            delay *= 2
    raise FetchError(last or "could not be fetched")


def _size(n: int) -> str:
    return f"{n / 2**20:g} MB" if n >= 2**20 else f"{n:,} bytes"
