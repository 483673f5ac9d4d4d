"""The extension's JavaScript passes ESLint with the checked-in config (no eval, no innerHTML)."""

import json
import re
import shutil
import subprocess
from pathlib import Path

EXTENSION = Path(__file__).resolve().parents[2] / "extension"


def test_eslint_passes():
    npx = shutil.which("npx")
    assert npx, "Node.js is missing: make test installs it"
    assert (EXTENSION / "node_modules" / "eslint").is_dir(), "run make test: it installs ESLint"
    out = subprocess.run([npx, "eslint", "--format", "json", "."], cwd=EXTENSION,
                         capture_output=True, text=True, timeout=120)
    problems = [f"{r['filePath']}:{m['line']} {m['ruleId']}: {m['message']}"
                for r in json.loads(out.stdout or "[]") for m in r["messages"]]
    assert out.returncode == 0 and problems == [], problems


def test_manifest_asks_for_little():
    manifest = json.loads((EXTENSION / "manifest.json").read_text())
    assert set(manifest["permissions"]) <= {"sidePanel", "storage", "activeTab", "scripting",
                                            "contextMenus"}
    assert "host_permissions" not in manifest  # hosts come from the admin's build or per site
    assert "content_scripts" not in manifest  # nothing runs on a page until asked
    assert "'unsafe-eval'" not in manifest["content_security_policy"]["extension_pages"]


def test_no_eval_remote_code_or_html_injection():
    banned = ("eval(", "new Function", "innerHTML", "outerHTML", "insertAdjacentHTML",
              "importScripts(", "document.write")
    for path in (EXTENSION / "src").glob("*.js"):
        text = path.read_text()
        assert [b for b in banned if b in text] == [], path.name
    for page in EXTENSION.glob("*.html"):
        sources = re.findall(r"<script[^>]*\bsrc=\"([^\"]+)\"", page.read_text())
        assert sources and all(s.startswith("src/") for s in sources), page.name


def test_packaging_makes_a_versioned_zip_and_grants_only_the_admins_hosts(tmp_path):
    import sys
    import zipfile

    sys.path.insert(0, str(EXTENSION))
    from build import build

    plain = build(tmp_path / "public", [])
    version = json.loads((EXTENSION / "manifest.json").read_text())["version"]
    assert plain.name == f"jitlearn-extension-{version}.zip"
    with zipfile.ZipFile(plain) as z:
        names = set(z.namelist())
        assert {"manifest.json", "sidepanel.html", "src/panel.js", "managed_schema.json"} <= names
        assert not any(n.startswith(("node_modules", "package")) or n.endswith(".py")
                       for n in names)
        assert "host_permissions" not in json.loads(z.read("manifest.json"))
    with zipfile.ZipFile(build(tmp_path / "acme", ["https://*.acme.example/*"])) as z:
        assert json.loads(z.read("manifest.json"))["host_permissions"] == [
            "https://*.acme.example/*"]
