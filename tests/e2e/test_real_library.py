"""The samples beside a real library, over HTTP: what the organisation requires still comes first.

Marked `corpus` too: it copies the real-corpus index the session builds (two minutes).
"""

import os
import shutil
from pathlib import Path

import pytest

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "content"

pytestmark = [pytest.mark.e2e, pytest.mark.corpus]


@pytest.fixture(scope="module")
def real_library(corpus_index, tmp_path_factory, cli, serve):
    """A server whose library is the real corpora plus the samples: (base URL, token)."""
    ix, _ = corpus_index
    home = tmp_path_factory.mktemp("real-library")
    with ix.locked():
        shutil.copytree(ix.path, home / "index")
    env = {**os.environ, "JITLEARN_HOME": str(home), "JITLEARN_LOG_LEVEL": "WARNING"}
    cli(env, "ingest", "--source", "samples", str(SAMPLES))
    cli(env, "users", "add", "reader")
    token = cli(env, "tokens", "create", "reader")
    proc, base = serve(env)
    yield base, token
    proc.terminate()
    proc.wait(timeout=10)
    proc.stdout.close()


@pytest.mark.parametrize("context, policy", [
    ({"title": "Expense report - Navan", "url": "https://app.navan.com/expenses"},
     "Expense Policy"),
    ({"title": "Expense report - Navan"}, "Expense Policy"),
    ({"title": "Reset your password - Okta"}, "Passwords and Multi-Factor Authentication"),
])
def test_the_mandatory_policy_on_the_pages_subject_comes_first(real_library, http, context,
                                                               policy):
    base, token = real_library
    status, body = http(base, "/api/v1/suggestions", {"context": context}, token=token)
    assert status == 200, body
    cards = body["suggestions"]
    assert len(cards) == 3  # a real library has more to say, but the panel shows three
    assert cards[0]["title"] == policy and cards[0]["mandatory"], [c["title"] for c in cards]
    assert not any("Navan" in r for r in cards[0]["reasons"])  # the site is no evidence
