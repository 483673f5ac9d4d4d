"""Personal data out of a context before anything reads it: the same patterns the extension
applies in the browser (extension/src/redact.js), applied again on the server."""

import re
from urllib.parse import urlsplit, urlunsplit

MARK = "[REDACTED]"
# any script's letters ("josé.ñúñez@empresa.es", "sam@例え.jp"); tests/data/redaction.json holds
# the cases both this and the extension must redact alike
_CHAR = r"\w\u0300-\u036f"  # letters and digits of any script, and accents typed apart
EMAIL = re.compile(rf"[{_CHAR}.%+-]+@[{_CHAR}-]+(?:\.[{_CHAR}-]+)*\.[^\W\d_]{{2,}}")
PHONE = re.compile(r"(?:\+|\b)\d(?:[\s().-]*\d){6,}\b")  # 7+ digits, split or not
LONG_DIGITS = re.compile(r"\d{6,}")  # card, account and ID numbers


def redact(text: str) -> str:
    return LONG_DIGITS.sub(MARK, PHONE.sub(MARK, EMAIL.sub(MARK, text)))


def redact_url(url: str) -> str:
    """Without its query and fragment (where sessions, ids and searches live), redacted."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    return redact(urlunsplit((parts.scheme, parts.netloc, parts.path, "", "")))


def redact_context(context):
    """A copy of a Context with every field redacted (the URL also loses query and fragment)."""
    from dataclasses import replace

    return replace(context, title=redact(context.title), url=redact_url(context.url),
                   headings=[redact(h) for h in context.headings],
                   selection=redact(context.selection), text=redact(context.text),
                   description=redact(context.description))
