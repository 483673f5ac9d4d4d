"""The API contract: /api/v1/openapi.json fuzzed by schemathesis against a real server.

Schemathesis reads the document the server generates from its routes, sends it examples, edge
cases and random (valid and invalid) requests, and checks every answer: no 5xx, the status codes,
content types and bodies the document declares, invalid input refused, auth enforced.
"""

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]
REPORT = ROOT / "build" / "schemathesis.txt"  # the whole run, to read when it fails
SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"
# A field over its limit is refused with 413 (as the document says), which schemathesis does not
# count as a refusal of invalid data unless told.
CONFIG = """
# Every check but positive_data_acceptance: a valid request for an id that does not exist is
# rightly a 404, and random ids rarely exist.
[checks.positive_data_acceptance]
enabled = false

[checks.negative_data_rejection]
expected-statuses = ["400", "401", "403", "404", "405", "409", "413", "415", "429"]

# /content/bulk (POST) also matches /content/{content_id} (GET, PATCH) with the id "bulk", so
# its Allow header names those too; the document lists them under /content/{content_id}.
[[operations]]
include-path = "/api/v1/content/bulk"
checks.allow_header_conformance.enabled = false
"""


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory, cli, serve):
    """A server of its own (fuzzing changes tags, sources and profiles) and an admin token."""
    home = tmp_path_factory.mktemp("fuzz-home")
    env = {**os.environ, "JITLEARN_HOME": str(home), "JITLEARN_LOG_LEVEL": "WARNING",
           "JITLEARN_RATE_PER_TOKEN": "1000000", "JITLEARN_RATE_PER_IP": "1000000"}


    cli(env, "ingest", "--source", "samples", str(ROOT / "samples" / "content"))
    cli(env, "import", "roles", str(ROOT / "samples" / "career" / "roles.csv"))
    cli(env, "users", "add", "fuzz-admin", "--role", "admin")
    token = cli(env, "tokens", "create", "fuzz-admin")
    proc, base = serve(env)
    yield base, token, home
    proc.terminate()
    output = proc.communicate(timeout=10)[0]
    assert "Traceback" not in output, output[-3000:]


def test_the_document_describes_every_route_with_its_roles(fuzzed):
    base, _, _ = fuzzed
    with urllib.request.urlopen(base + "/api/v1/openapi.json") as res:
        doc = json.loads(res.read())
    assert doc["openapi"].startswith("3.")
    suggest = doc["paths"]["/api/v1/suggestions"]["post"]
    assert suggest["x-roles"] == ["employee", "manager", "ld", "admin"]
    assert "context" in suggest["requestBody"]["content"]["application/json"]["schema"][
        "required"]
    assert doc["paths"]["/api/v1/content/bulk"]["post"]["x-roles"] == ["ld", "admin"]
    assert doc["paths"]["/api/v1/openapi.json"]["get"]["security"] == []


def test_fuzzing_finds_no_server_error_and_no_schema_violation(fuzzed):
    base, token, home = fuzzed
    config = home / "schemathesis.toml"
    config.write_text(CONFIG)
    run = subprocess.run(
        [str(SCHEMATHESIS), "--config-file", str(config), "run", base + "/api/v1/openapi.json",
         "--url", base, "--header", f"Authorization: Bearer {token}",
         "--max-examples", "30", "--seed", "7", "--workers", "2",
         "--request-timeout", "30", "--suppress-health-check", "too_slow"],
        capture_output=True, text=True, cwd=home, timeout=900,
        env={**os.environ, "SCHEMATHESIS_HOOKS": "schemathesis_hooks",  # hostile bodies too
             "PYTHONPATH": str(Path(__file__).parent)})
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text(run.stdout + run.stderr)
    assert run.returncode == 0, f"see {REPORT}\n" + run.stdout[-4000:] + run.stderr[-2000:]


def test_a_real_server_refuses_deep_nesting_surrogates_and_huge_numbers_plainly(fuzzed):
    """Every operation of the live document, each sent the hostile bodies once over HTTP (the
    fuzzing above mixes them into its own through tests/e2e/schemathesis_hooks.py)."""
    from tests.server.api.test_hostile import DEEP, HUGE, LONE, fill, hostile_body

    base, token, _ = fuzzed
    with urllib.request.urlopen(base + "/api/v1/openapi.json") as res:
        doc = json.loads(res.read())
    sent = 0
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            schema = op.get("requestBody", {}).get("content", {}).get(
                "application/json", {}).get("schema")
            if schema is None and "{" not in path:
                continue  # nothing to make hostile (and DELETE /me/data would end the token)
            bodies = [None] if schema is None else [
                DEEP, json.dumps(hostile_body(schema, LONE)),
                json.dumps(hostile_body(schema, HUGE))]
            for body in bodies:
                request = urllib.request.Request(
                    base + fill(path, op, HUGE if body is None else 1), method=method.upper(),
                    data=body.encode() if body else None,
                    headers={"Authorization": f"Bearer {token}",
                             "Content-Type": "application/json"})
                try:
                    with urllib.request.urlopen(request) as res:
                        status = res.status
                except urllib.error.HTTPError as exc:
                    status = exc.code
                    assert set(json.loads(exc.read())) == {"error", "message"}
                assert status < 500, (method, path, body and body[:80])
                sent += 1
    assert sent >= 40  # 13 JSON-taking operations x 3 bodies, and the routes with ids
