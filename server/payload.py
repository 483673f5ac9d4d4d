"""Reading JSON from outside: bounded in depth, whole numbers in 64 bits, text in real Unicode.

Python's json reads what the standard allows, and the standard allows traps: arrays nested a
hundred thousand deep (a RecursionError), integers of four thousand digits (past any database
column), and escaped lone surrogates ("\\ud800", not a character: spaCy and the database drivers
fail on it). Each is refused here with a message, before any view sees the value.
"""

import json
import re

from werkzeug.routing import IntegerConverter

MAX_DEPTH = 32  # our deepest body (a SCIM PATCH with a filtered path) nests 5 levels
MAX_INT = 2**63 - 1  # BIGINT, and SQLite's INTEGER
_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
_BRACKETS = re.compile(r"[\[\]{}]")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


class PayloadError(ValueError):
    """The JSON cannot be taken; the message says why in a client's terms."""


def loads(raw: bytes | str):
    """The JSON value of raw, or PayloadError."""
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise PayloadError("the body is not UTF-8 text") from None
    check_depth(raw)
    try:
        value = json.loads(raw, parse_int=_whole)
    except PayloadError:
        raise
    except RecursionError:
        raise PayloadError(f"JSON nested more than {MAX_DEPTH} levels deep") from None
    except ValueError as exc:
        raise PayloadError(f"not valid JSON ({exc})") from None
    if _SURROGATE_ESCAPE.search(raw):
        check_text(value)
    return value


def check_depth(text: str) -> None:
    depth = 0
    for bracket in _BRACKETS.findall(_STRINGS.sub("", text)):
        depth += 1 if bracket in "[{" else -1
        if depth > MAX_DEPTH:
            raise PayloadError(f"JSON nested more than {MAX_DEPTH} levels deep")


def check_text(value) -> None:
    """Refuse a lone surrogate anywhere in value (strings, keys, inside lists and objects)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                raise PayloadError("text holds a lone surrogate (\\ud800-\\udfff), which is "
                                   "not a character; send real Unicode") from None
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _whole(digits: str) -> int:
    number = int(digits)
    if abs(number) > MAX_INT:
        raise PayloadError(f"the number {digits[:20]}{'...' if len(digits) > 20 else ''} is "
                           "larger than 64 bits")
    return number


MAX_ID = 10**18 - 1  # ids in routes: 18 digits at most, well inside 64 bits


class WholeNumber(IntegerConverter):
    """<int:id> in a route, of 18 digits at most: a longer number matches no route (404).
    Limited by the pattern, not by IntegerConverter's max, so that no route half-matches and
    answers 405 for a method another route has."""

    regex = r"\d{1,18}"
