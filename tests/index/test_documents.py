import pytest

from index import UnreadableFile, read_document, supported


def test_markdown_front_matter_fills_the_fields():
    raw = b"""---
title: Travel Policy
description: How to book business travel.
tags: [travel, booking]
audience: [everyone]
mandatory: true
type: policy
duration: 1h 30m
updated: 2026-01-15
url: https://intranet.example.com/travel
---
# Ignored heading as title
## Booking
Book flights through the tool.
"""
    doc = read_document(raw, "hr", "policies/travel.md")
    assert doc.id == "hr:policies/travel.md"
    assert doc.title == "Travel Policy"
    assert doc.summary == "How to book business travel."
    assert doc.tags == ["travel", "booking"] and doc.mandatory and doc.type == "policy"
    assert doc.duration == 90 and doc.updated.year == 2026
    assert "Booking" in doc.headings and "Book flights" in doc.body


def test_markdown_without_front_matter_takes_title_from_first_heading():
    doc = read_document(b"intro line\n\n### Production Data Access\n\nRules for access to\n"
                        b"production data by staff members.\n", "sec", "a/b.md.tmpl")
    assert doc.title == "Production Data Access"
    assert doc.summary.startswith("Rules for access to production data")


def test_template_placeholders_are_not_content():
    doc = read_document(b"# <%= current_page.data.title %>\n\nHello {{company}} team.\n",
                        "s", "x.html.md.erb")
    assert "{{" not in doc.body and "<%" not in doc.body


LEAVE_PAGE = b"""<html><head><title>Leave Types</title>
<meta name="description" content="All leave."><script>var secret = 1;</script></head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/hr">People team</a></li>
<li><a href="/menu">Site menu</a></li></ul></nav>
<main><article><h1>Leave types</h1><h2>Sick leave</h2><p>Tell your manager as early as you can
on the first day you are ill, and record the day in the HR system.</p><h2>Parental leave</h2>
<p>Every new parent gets sixteen weeks of fully paid parental leave within the first year.</p>
<p>Request it in the HR system at least eight weeks before the leave starts.</p></article></main>
<footer><p>Copyright Example Corp. All rights reserved.</p></footer></body></html>"""


def test_html_keeps_the_main_content_not_navigation_or_scripts():
    doc = read_document(LEAVE_PAGE, "hr", "leave.html")
    assert doc.title == "Leave Types" and doc.summary == "All leave."
    assert doc.headings == ["Leave types", "Sick leave", "Parental leave"]
    assert "sixteen weeks" in doc.body
    assert "secret" not in doc.body and "Site menu" not in doc.body and "Copyright" not in doc.body


def test_plain_text_title_is_its_first_line():
    doc = read_document(b"Office hours\n\nThe office opens at 8.\n", "misc", "hours.txt")
    assert doc.title == "Office hours"


def test_broken_front_matter_does_not_stop_the_document():
    doc = read_document(b"---\ntitle: [unclosed\n---\nBody text here.\n", "s", "broken.md")
    assert "Body text" in doc.body


def test_binary_file_is_refused_with_a_reason():
    with pytest.raises(UnreadableFile, match="binary"):
        read_document(b"\x00\x01\x02PK", "s", "file.md")


def test_licence_and_hidden_files_are_not_content():
    assert supported("docs/guide.md") and supported("a/b.html.md.erb")
    assert not supported("LICENSE.md") and not supported(".hidden.md")
    assert not supported("photo.png") and supported("catalog.csv")


@pytest.mark.parametrize("url, kept", [
    ("javascript:alert(document.cookie)", ""), ("JaVaScRiPt:alert(1)", ""),
    ("data:text/html,<script>alert(1)</script>", ""), ("file:///etc/passwd", ""),
    ("//evil.example.com/x", ""), ("https://", ""),
    ("https://handbook.example.com/travel", "https://handbook.example.com/travel"),
    (" HTTP://intranet/wiki/Travel ", "HTTP://intranet/wiki/Travel"),
])
def test_only_http_addresses_are_kept_as_a_documents_link(url, kept):
    from index import read_documents

    doc = read_document(f"---\ntitle: Travel\nurl: {url}\n---\nBook trains.".encode(), "hb",
                        "travel.md")
    assert doc.url == kept
    quoted = url.replace('"', '""')
    row = read_documents(f'title,url\nTravel,"{quoted}"\n'.encode(), "lms", "catalog.csv")[0]
    assert row.url == kept


def test_a_catalog_row_with_more_cells_than_columns_is_still_read():
    from index import read_documents

    docs = read_documents(b"title,url\nTravel,https://a.example/t,stray,cells\n", "lms",
                          "catalog.csv")
    assert [(d.title, d.url) for d in docs] == [("Travel", "https://a.example/t")]
