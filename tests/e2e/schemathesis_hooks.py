"""Schemathesis hooks (SCHEMATHESIS_HOOKS): besides the bodies it generates, send hostile ones
JSON allows: every string a lone surrogate, every integer past 64 bits, a value nested deeper than
the server reads. Its own strings are valid UTF-8 and its nesting shallow, so without these it
would never try what a crafted request does."""

import schemathesis
from hypothesis import strategies as st

LONE = "\ud800"
HUGE = 2**64
DEEP = 40  # levels: past the server's 32, short of Python's own recursion limit


def _replaced(value, leaf):
    if isinstance(value, dict):
        return {k: _replaced(v, leaf) for k, v in value.items()}
    if isinstance(value, list):
        return [_replaced(v, leaf) for v in value]
    if isinstance(value, str) and leaf == "string":
        return LONE
    if isinstance(value, int) and not isinstance(value, bool) and leaf == "integer":
        return HUGE
    return value


def _deep():
    value: object = 1
    for _ in range(DEEP):
        value = [value]
    return value


@schemathesis.hook
def flatmap_body(context, body):
    if not isinstance(body, dict):
        return st.just(body)
    return st.sampled_from([body, _replaced(body, "string"), _replaced(body, "integer"),
                            {**body, "nested": _deep()}])
