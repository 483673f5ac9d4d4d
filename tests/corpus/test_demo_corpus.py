"""`jitlearn demo --corpora DIR`: real corpora beside the samples, each document opening at its
public home (the repository it was taken from, at that commit)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.corpus
TAKEN = ("pagerduty-goingoncall", "google-eng-practices", "onet-29.3")


def test_the_demo_loads_real_corpora_whose_cards_open_where_they_came_from(shared, tmp_path):
    corpora = shared / "corpora"
    if not (corpora / "manifest.json").is_file():
        pytest.skip(f"reference corpora not found at {corpora}")
    chosen = tmp_path / "corpora"  # a few of them, linked, never copied
    chosen.mkdir()
    for name in TAKEN:
        (chosen / name).symlink_to(corpora / name)
    manifest = [e for e in json.loads((corpora / "manifest.json").read_text())
                if e["name"] in TAKEN]
    (chosen / "manifest.json").write_text(json.dumps(manifest))
    home = {e["name"]: e for e in manifest}

    bin_ = Path(sys.executable).parent / "jitlearn"
    env = {**os.environ, "JITLEARN_HOME": str(tmp_path / "home"), "JITLEARN_LOG_LEVEL": "WARNING"}
    out = subprocess.run([str(bin_), "demo", "--no-serve", "--corpora", str(chosen)], env=env,
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    assert "pagerduty-goingoncall:" in out.stdout and "google-eng-practices:" in out.stdout
    assert "onet-29.3:" not in out.stdout  # career data is not content

    answer = subprocess.run([str(bin_), "suggest", "Preparing for my first on-call shift",
                             "--text", "pager alerts, escalation and handing off on call",
                             "--limit", "5", "--json"], env=env, capture_output=True, text=True,
                            timeout=120)
    cards = json.loads(answer.stdout)["suggestions"]
    oncall = [c for c in cards if c["id"].startswith("pagerduty-goingoncall:")]
    assert oncall, [c["id"] for c in cards]
    entry = home["pagerduty-goingoncall"]
    for card in oncall:
        path = card["id"].split(":", 1)[1]
        assert card["url"] == (f"https://github.com/{entry['source']}/blob/"
                               f"{entry['commits'][0]}/{path}")
    assert all(c["url"] for c in cards)  # the samples' own addresses, or a reading page


def test_a_folder_without_a_manifest_is_refused_with_the_way_to_load_it(tmp_path):
    bin_ = Path(sys.executable).parent / "jitlearn"
    env = {**os.environ, "JITLEARN_HOME": str(tmp_path / "home"), "JITLEARN_LOG_LEVEL": "WARNING"}
    out = subprocess.run([str(bin_), "demo", "--no-serve", "--corpora", str(tmp_path)], env=env,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 1 and "no manifest.json" in out.stderr + out.stdout
    assert "jitlearn ingest" in out.stderr + out.stdout
