import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from server.cli import main

from ...conftest import database_at

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("JITLEARN_HOME", str(tmp_path))
    monkeypatch.setenv("JITLEARN_LOG_LEVEL", "WARNING")
    monkeypatch.delenv("JITLEARN_PUBLIC_URL", raising=False)  # `demo` sets it: undone after
    monkeypatch.delenv("JITLEARN_EVAL_JUDGMENTS", raising=False)  # and this
    return tmp_path


@pytest.fixture
def runner(home):
    """`jitlearn ARGS...` in this process, on a fresh data directory: (exit status, output)."""
    def run(*args):
        result = CliRunner().invoke(main, list(args), catch_exceptions=False)
        return result.exit_code, result.output
    return run


def test_users_and_tokens(runner):
    code, out = runner("users", "add", "lin", "--role", "ld", "--groups", "Finance, managers")
    assert code == 0 and out.startswith("added lin (ld)\n")
    assert "one-time sign-in link for the console: http://127.0.0.1:8000/console/login/" in out
    assert "lin\tld\tfinance,managers" in runner("users", "list")[1]
    code, out = runner("users", "add", "lin")
    assert code == 1 and "already exists" in out
    code, token = runner("tokens", "create", "lin", "--name", "laptop")
    assert code == 0 and token.startswith("jl_")
    code, out = runner("tokens", "create", "nobody")
    assert code == 1 and "no user named" in out
    assert runner("tokens", "revoke", token.strip()[:10])[0] == 0
    assert "no active token" in runner("tokens", "revoke", token.strip()[:10])[1]


def test_ingest_then_suggest_json(runner, tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "expenses.md").write_text("---\ntitle: Expense Policy\n---\nFile every expense "
                                      "report within 30 days with receipts.\n")
    (docs / "broken.md").write_bytes(b"\x00\x00")
    code, out = runner("ingest", "--source", "fin", "--url-template",
                       "https://handbook.example.com/{path}", str(docs))
    assert code == 0 and "1 added" in out and "1 failed" in out and "broken.md" in out
    code, out = runner("suggest", "Expense report - Navan", "--json")
    body = json.loads(out)
    assert body["suggestions"][0]["id"] == "fin:expenses.md"
    assert body["suggestions"][0]["url"] == "https://handbook.example.com/expenses"
    code, out = runner("ingest", "--source", "fin", "--url-template", "file:///etc/{path}",
                       str(docs))
    assert code == 1 and "http(s) address" in out


def test_suggest_says_why_it_is_quiet(runner):
    code, out = runner("suggest", "Play chess online - chess.com")
    assert code == 0 and "no suggestions" in out


def test_ingest_refuses_a_bad_source_name(runner, tmp_path):
    code, out = runner("ingest", "--source", "a b/c", str(tmp_path))
    assert code == 1 and "--source" in out


def test_ingest_many_folders_prints_a_table_with_a_total(runner, tmp_path):
    for name, files in (("policies", 2), ("guides", 3)):
        (tmp_path / name).mkdir()
        for i in range(files):
            (tmp_path / name / f"{i}.md").write_text(f"# Page {i}\nAbout travel.")
    (tmp_path / "guides" / "bad.pdf").write_bytes(b"%PDF-1.4 truncated")
    code, out = runner("ingest", str(tmp_path / "policies"), str(tmp_path / "guides"))
    assert code == 0 and "skipped guides:bad.pdf: not a readable PDF" in out
    rows = {line.split()[0]: line.split()[1:] for line in out.splitlines()
            if line.split() and line.split()[0] in ("policies", "guides", "total")}
    assert rows["policies"][:6] == ["2", "2", "0", "0", "0", "0"]
    assert rows["guides"][:6] == ["4", "3", "0", "0", "0", "1"]
    assert rows["total"][:6] == ["6", "5", "0", "0", "0", "1"]
    code, out = runner("ingest", str(tmp_path / "policies"), str(tmp_path / "guides"))
    assert out.splitlines()[-1].split()[1:6] == ["6", "0", "0", "5", "0"]  # nothing changed
    code, out = runner("ingest", "--source", "x", str(tmp_path / "policies"), str(tmp_path))
    assert code == 1 and "--source names one directory" in out


def test_eval_writes_a_run_file(runner, tmp_path):
    judgments = tmp_path / "j.jsonl"
    judgments.write_text(json.dumps({"id": "q1", "context": {"title": "Expense report"},
                                     "relevant": {"x:y.md": 3}}) + "\n"
                         + json.dumps({"id": "q2", "context": {"title": "Chess - chess.com"},
                                       "expect_empty": True}) + "\n")
    code, out = runner("eval", str(judgments), "--output", str(tmp_path / "run.jsonl"))
    metrics = json.loads(out)
    assert code == 0 and metrics["contexts"] == 2 and metrics["abstain_accuracy"] == 1.0
    lines = [json.loads(x) for x in (tmp_path / "run.jsonl").read_text().splitlines()]
    assert [x["id"] for x in lines] == ["q1", "q2"] and lines[1]["ranked"] == []


def test_eval_rejects_a_broken_file(runner, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{nope\n")
    code, out = runner("eval", str(bad))
    assert code == 1 and "bad.jsonl:1" in out


def test_every_command_has_help():
    for cmd in ([], ["serve"], ["ingest"], ["suggest"], ["eval"], ["users"], ["tokens"], ["db"],
                ["demo"]):
        out = subprocess.run([sys.executable, "-m", "server.cli", *cmd, "--help"],
                             capture_output=True, text=True, cwd=ROOT)
        assert out.returncode == 0 and "Usage" in out.stdout, cmd


def test_demo_loads_samples_and_prints_a_working_token(runner, home):
    samples = len(list((ROOT / "samples" / "content").rglob("*.md")))
    code, out = runner("demo", "--no-serve")
    assert code == 0 and f"{samples} added" in out and "org: 10 occupations" in out
    token = out.split("(shown once): ")[1].split()[0]
    assert out.count(token) == 6  # the token line and the curl lines
    assert "Expense report - Navan" in out and "Premier League results - BBC Sport" in out
    code, again = runner("demo", "--no-serve")
    assert code == 0 and f"{samples} unchanged" in again
    listed = runner("users", "list")[1].splitlines()
    assert [line.split("\t")[0] for line in listed] == ["demo", "demo-admin",
                                                         "demo-manager"]  # each once
    assert listed[0].split("\t")[2] == "engineering"  # engineering's content shows to demo
    own, admin = [part.split()[0] for part in again.split("one-time link: ")[1:]]
    from server.app import create_app

    # the settings the demo served with: its home, and the bench pages it names
    app = create_app({"HOME": str(home), "MODEL": "",
                      "EVAL_JUDGMENTS": os.environ["JITLEARN_EVAL_JUDGMENTS"]})
    for link, lands in ((own, "/console/me"), (admin, "/console/content")):
        browser = app.test_client()
        signed_in = browser.get(link.split(":8000", 1)[1], follow_redirects=True)
        assert signed_in.status_code == 200 and signed_in.request.path == lands
    # the test bench has the demo's own pages to pick from (and tag previews to run on)
    bench = browser.get("/console/bench").get_data(as_text=True)
    assert "Expense report - Navan" in bench and "Premier League results" in bench


def test_sources_commands(runner, tmp_path):
    folder = tmp_path / "handbook"
    folder.mkdir()
    (folder / "leave.md").write_text("# Leave policy\nTwenty-five days of leave a year.")
    assert runner("sources", "add", "hb", "--folder", str(folder), "--every", "30")[0] == 0
    code, out = runner("sources", "add", "x", "--folder", str(folder), "--feed", "https://a.b/f")
    assert code == 1 and "exactly one" in out
    code, out = runner("sources", "sync")
    assert code == 0 and "hb: ok added 1" in out
    code, out = runner("sources", "list")
    assert "hb\tfolder\tok" in out and "added 1" in out
    assert runner("sources", "sync", "nope")[0] == 1
    assert "1 documents withdrawn" in runner("sources", "remove", "hb")[1]


def test_stale_content_is_listed_for_its_owner(runner, tmp_path):
    docs = tmp_path / "policies"
    docs.mkdir()
    (docs / "gifts.md").write_text("---\ntitle: Gifts\nowner: legal\nreview_by: 2020-01-31\n---\nx")
    (docs / "travel.md").write_text("---\ntitle: Travel\nowner: finance\n---\nBook travel.")
    runner("ingest", "--source", "pol", str(docs))
    code, out = runner("content", "stale", "--owner", "legal")
    assert code == 0 and "pol:gifts.md\tlegal\treview was due 2020-01-31\tGifts" in out
    assert "travel" not in runner("content", "stale")[1]


def test_suggest_answers_as_an_audience_when_asked(runner, tmp_path):
    docs = tmp_path / "d"
    docs.mkdir()
    (docs / "m.md").write_text("---\ntitle: Interviewer training\naudience: [managers]\n---\n"
                               "Structured interview scorecards for every interviewer.")
    runner("ingest", "--source", "lnd", str(docs))
    assert "lnd:m.md" in runner("suggest", "Interview scorecard - Greenhouse")[1]
    assert "lnd:m.md" in runner("suggest", "Interview scorecard - Greenhouse",
                             "--groups", "Managers")[1]
    assert "lnd:m.md" not in runner("suggest", "Interview scorecard - Greenhouse",
                                 "--groups", "sales")[1]


def test_content_tag_and_show_keep_manual_tags_across_ingests(runner, tmp_path):
    docs = tmp_path / "kb"
    docs.mkdir()
    (docs / "cards.md").write_text("---\ntitle: Corporate card\n---\nUse the corporate card "
                                   "for travel; file the expense report monthly.")
    runner("ingest", "--source", "kb", str(docs))
    code, out = runner("content", "tag", "--query", "corporate card", "--dry-run",
                    "--changes", '{"owner": "finance", "audience": ["finance"]}')
    assert code == 0 and out.startswith("kb:cards.md\n") and "would change 1" in out
    assert json.loads(runner("content", "show", "kb:cards.md")[1])["owner"] == ""
    code, out = runner("content", "tag", "kb:cards.md", "--changes", '{"owner": "finance"}')
    assert code == 0 and "changed 1" in out
    (docs / "cards.md").write_text("---\ntitle: Corporate card\n---\nUse the corporate card "
                                   "for travel and hotels.")
    assert "1 updated" in runner("ingest", "--source", "kb", str(docs))[1]
    shown = json.loads(runner("content", "show", "kb:cards.md")[1])
    assert shown["owner"] == "finance" and shown["manual"]["updated_by"] == "cli"
    assert runner("content", "tag", "--changes", '{"owner": 1}', "kb:cards.md")[0] == 1
    code, out = runner("content", "tag", "--changes", "{}", "--query", "card")
    assert code == 1 and "as a JSON object" in out
    assert "no content" in runner("content", "show", "kb:nothing.md")[1]


def test_a_database_left_at_an_older_schema_is_upgraded_only_when_asked(runner, home,
                                                                         monkeypatch):
    """Commands do not migrate behind an admin's back: they say what to run, and
    `jitlearn db upgrade` does it; the people already there are kept."""
    database_at(home / "jitlearn.db", "0012", ("ada",))
    # this home's own file, also when the suite runs on PostgreSQL
    monkeypatch.setenv("JITLEARN_DATABASE_URL", f"sqlite:///{home / 'jitlearn.db'}")
    code, out = runner("users", "list")
    assert code == 1 and "at migration 0012" in out and "jitlearn db upgrade" in out
    assert runner("db", "upgrade") == (0, "the database's schema is up to date\n")
    code, out = runner("users", "list")
    assert code == 0 and out.startswith("ada\temployee")


def test_a_new_home_gets_its_schema_on_first_use(runner):
    assert runner("users", "add", "lin")[0] == 0
    assert runner("users", "list")[1].startswith("lin\temployee")


@pytest.mark.parametrize("name, value", [("JITLEARN_STALE_DAYS", "a year"),
                                         ("JITLEARN_SCHEDULER_ENABLED", "sometimes"),
                                         ("JITLEARN_RATE_PER_IP", "-5")])
def test_a_mistyped_setting_stops_a_command_with_its_name(runner, monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    code, out = runner("users", "list")
    assert code == 1 and name in out and value in out


def test_persona_prints_what_someone_would_see_and_keeps_nobody(runner):
    runner("demo", "--no-serve")  # the samples and our own ten roles
    code, out = runner("persona", "--title", "Software Engineer", "--target",
                       "Engineering Manager", "--groups", "engineering")
    assert code == 0, out
    assert "role: Software Engineer; target: Engineering Manager" in out
    gaps = out.split("top gaps:")[1].split("new duties:")[0]
    assert "Budgeting: needed:" in gaps and "start with:" in gaps
    assert "feed, first page" in out
    assert [line.split("\t")[0] for line in runner("users", "list")[1].splitlines()] == \
        ["demo", "demo-admin", "demo-manager"]  # the person existed for the command only
    code, out = runner("persona", "--title", "Software Engineer", "--target", "qwzx vbnm")
    assert code != 0 and "no role matches 'qwzx vbnm'" in out
    assert len(runner("users", "list")[1].splitlines()) == 3  # the demo's three, no one else


def test_opportunities_come_from_an_hr_feed_and_one_bad_row_fails_alone(runner, tmp_path):
    """A CSV feed brings opportunities in; importing it again with one gone closes that one
    and changes none of the others; a row with a bad date fails alone with its reason."""
    runner("import", "roles", str(ROOT / "samples" / "career" / "roles.csv"))
    runner("users", "add", "bob", "--role", "manager", "--email", "bob@example.com")
    feed = tmp_path / "gigs.csv"
    feed.write_text(
        "id,title,owner,skills,hours_per_week,ends,places\n"
        "g1,Join the FY27 budgeting cycle,bob@example.com,Budgeting,2,2099-01-31,Remote;Berlin\n"
        "g2,Shadow an interview loop,bob,Hiring;Feedback,1,,\n"
        "g3,Broken dates,bob,Budgeting,2,31/01/2099,\n"
        "g4,No such owner,nobody,Budgeting,2,,\n", encoding="utf-8")
    code, out = runner("import", "opportunities", str(feed), "--source", "workday")
    assert code == 0, out
    assert "workday: 2 added, 0 updated, 0 closed (no longer in the feed), 2 failed" in out
    assert "failed row 3 (g3): ends: a date as YYYY-MM-DD" in out
    assert "failed row 4 (g4): owner: no active user 'nobody'" in out
    feed.write_text("id,title,owner,skills\n"
                    "g1,Join the FY27 budgeting cycle,bob,Budgeting\n", encoding="utf-8")
    code, out = runner("import", "opportunities", str(feed), "--source", "workday")
    assert "workday: 0 added, 1 updated, 1 closed" in out
    (tmp_path / "bad.json").write_text('{"not": "a list"}', encoding="utf-8")
    code, out = runner("import", "opportunities", str(tmp_path / "bad.json"), "--source", "x")
    assert code == 1 and "a list of opportunities" in out
    code, out = runner("import", "opportunities", str(feed), "--source", "Bad Name!")
    assert code == 1 and "--source" in out


def test_words_writes_a_library_s_word_table_and_refuses_an_empty_one(runner, tmp_path):
    from nlp.background import Workplace

    code, out = runner("words", "--output", str(tmp_path / "words.json"))
    assert code == 1 and "the library is empty" in out and not (tmp_path / "words.json").exists()
    for source in ("hr", "fin", "it"):
        docs = tmp_path / source
        docs.mkdir()
        (docs / "expenses.md").write_text("# Expenses\n\n" + "Submit each expense with "
                                          "receipts for reimbursement. " * 3
                                          + ("Reviews happen in Lattice. " * 5
                                             if source == "hr" else ""))
        assert runner("ingest", "--source", source, str(docs))[0] == 0
    code, out = runner("words", "--output", str(tmp_path / "words.json"))
    assert code == 0 and "of 3 documents" in out
    table = Workplace.load(tmp_path / "words.json")
    assert table.share("reimburs") and table.share("lattic") is None  # one source's word
    code, out = runner("words", "--output", str(tmp_path / "nowhere" / "words.json"))
    assert code == 1 and "cannot write the table" in out
