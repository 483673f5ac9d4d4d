"""The browser and the server take personal data out alike: both redactors against one file of
cases (tests/data/redaction.json), the extension's in Node.js as the browser would run it."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from nlp.redact import redact

ROOT = Path(__file__).resolve().parents[2]
CASES = json.loads((ROOT / "tests" / "data" / "redaction.json").read_text(encoding="utf-8"))
RUN_IN_NODE = """
const fs = require("fs"), vm = require("vm");
vm.runInThisContext(fs.readFileSync(process.argv[1], "utf8"));
const cases = JSON.parse(fs.readFileSync(process.argv[2], "utf8")).cases;
process.stdout.write(JSON.stringify(cases.map((c) => globalThis.jitlearnRedact(c.text))));
"""


@pytest.mark.parametrize("case", CASES["cases"], ids=lambda c: c["text"][:30] or "empty")
def test_the_server_redacts_each_case(case):
    assert redact(case["text"]) == case["redacted"]


def test_the_extension_redacts_each_case_as_the_server_does():
    node = shutil.which("node")
    assert node, "Node.js is missing: make test installs it"
    out = subprocess.run([node, "-e", RUN_IN_NODE, str(ROOT / "extension" / "src" / "redact.js"),
                          str(ROOT / "tests" / "data" / "redaction.json")],
                         capture_output=True, text=True, timeout=60, check=True)
    assert json.loads(out.stdout) == [c["redacted"] for c in CASES["cases"]]
