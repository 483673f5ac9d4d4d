"""Every format into the same document model; fixtures made with the tools people use."""

import io
import json

import pytest

from index import UnreadableFile, read_document, read_documents


def make_pdf(title="Travel Policy", lines=("Book flights in the travel tool.",)) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.setTitle(title)
    y = 800
    for line in lines:
        pdf.drawString(72, y, line)
        y -= 20
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def make_docx() -> bytes:
    import docx

    document = docx.Document()
    document.core_properties.title = "Remote Work Policy"
    document.add_heading("Remote Work Policy", 0)
    document.add_heading("Equipment", level=1)
    document.add_paragraph("Use a company laptop with disk encryption.")
    document.add_heading("Working abroad", level=1)
    document.add_paragraph("Ask the people team before working from another country.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_pdf_text_layer_and_title():
    doc = read_document(make_pdf(lines=("Travel policy", "Book flights in the travel tool.")),
                        "hr", "travel.pdf")
    assert doc.id == "hr:travel.pdf" and doc.title == "Travel Policy"
    assert "Book flights" in doc.body


def test_scanned_pdf_without_text_is_reported_as_such():
    with pytest.raises(UnreadableFile, match="no text layer"):
        read_document(make_pdf(lines=()), "hr", "scan.pdf")


def test_truncated_pdf_is_refused_with_a_reason():
    with pytest.raises(UnreadableFile, match="PDF"):
        read_document(make_pdf()[:300], "hr", "broken.pdf")


def test_docx_keeps_headings_as_structure():
    doc = read_document(make_docx(), "hr", "remote.docx")
    assert doc.title == "Remote Work Policy"
    assert doc.headings == ["Remote Work Policy", "Equipment", "Working abroad"]
    assert "disk encryption" in doc.body and doc.type == "policy"


def test_a_zip_of_junk_named_docx_is_refused():
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("junk.bin", b"\x01\x02not a document")
    with pytest.raises(UnreadableFile, match="Word document"):
        read_document(buffer.getvalue(), "hr", "fake.docx")


CSV = ("CR_TITLE,CR_URL,CR_ABSTRACT,CR_LANGUAGE,CR_COU_TITLE,CR_SUBJECT,CR_KEYWORDS,CR_PROVIDER\n"
       "Negotiation Basics,https://learn.example.com/negotiation,Prepare and close deals.,en,"
       "Other,Business,negotiation|sales,Example U\n"
       "Data Privacy 101,https://learn.example.com/privacy,Personal data at work.,en,Other,"
       "Law,gdpr|privacy,Example U\n")


def test_csv_catalog_maps_prefixed_columns_one_document_per_row():
    docs = read_documents(CSV.encode(), "ocw", "catalog.csv")
    assert [d.id for d in docs] == ["ocw:catalog.csv#https://learn.example.com/negotiation",
                                    "ocw:catalog.csv#https://learn.example.com/privacy"]
    first = docs[0]
    assert first.title == "Negotiation Basics" and first.type == "course"
    assert first.url == "https://learn.example.com/negotiation" and first.provider == "Example U"
    assert first.tags == ["business", "negotiation", "sales"]


def test_csv_in_a_broken_encoding_still_reads():
    raw = "title,description\nCafé etiquette,R\xe9sum\xe9 of rules\n".encode("cp1252")
    doc = read_documents(raw, "s", "c.csv")[0]
    assert doc.title == "Café etiquette" and "Résumé" in doc.body


def test_catalog_without_a_title_column_says_what_it_looked_for():
    with pytest.raises(UnreadableFile, match="no title column"):
        read_documents(b"a,b\n1,2\n", "s", "numbers.csv")


def test_json_lines_and_single_course_json():
    lines = "\n".join(json.dumps({"id": f"c{i}", "name": f"Course {i}", "description": "x",
                                  "level": "Beginner", "duration": "2h"}) for i in range(3))
    docs = read_documents(lines.encode(), "lms", "courses.jsonl")
    assert [d.id for d in docs] == ["lms:courses.jsonl#c0", "lms:courses.jsonl#c1",
                                    "lms:courses.jsonl#c2"]
    assert docs[0].level == "beginner" and docs[0].duration == 120
    one = {"id": "1-89", "name": "Environmental Microbiology", "topics": [["Science", "Biology"]],
           "courseLevel": "Graduate", "description": "Microbes."}
    doc = read_documents(json.dumps(one).encode(), "ocw", "courses/1-89.json")[0]
    assert doc.id == "ocw:courses/1-89.json#1-89" and doc.tags == ["science", "biology"]


def test_schema_org_course_in_an_html_page():
    page = b"""<html><head><title>Course page</title><script type="application/ld+json">
    {"@context": "https://schema.org", "@type": "Course", "name": "Secure Coding",
     "description": "OWASP in practice.", "timeRequired": "PT4H",
     "educationalLevel": "Intermediate",
     "provider": {"@type": "Organization", "name": "Example Academy"}}</script></head>
    <body><main><p>Learn secure coding with labs on injection and access control.</p></main>
    </body></html>"""
    doc = read_document(page, "lms", "secure.html")
    assert (doc.title, doc.type, doc.duration, doc.level, doc.provider) == (
        "Secure Coding", "course", 240, "intermediate", "Example Academy")


def test_rss_and_atom_entries_become_documents():
    from feedgen.feed import FeedGenerator

    feed = FeedGenerator()
    feed.id("https://blog.example.com/")
    feed.title("L&D blog")
    feed.link(href="https://blog.example.com/")
    feed.description("Learning news")
    for n, title in enumerate(["New expense tool", "Security month"]):
        entry = feed.add_entry()
        entry.id(f"https://blog.example.com/{n}")
        entry.title(title)
        entry.link(href=f"https://blog.example.com/{n}")
        entry.description(f"<p>{title}: what changes for you.</p>")
    for raw in (feed.rss_str(), feed.atom_str()):
        docs = read_documents(raw, "blog", "feed.xml")
        assert sorted(d.title for d in docs) == ["New expense tool", "Security month"]
        assert all(d.id.startswith("blog:feed.xml#https") and d.url for d in docs)
        assert any("what changes for you" in d.body for d in docs)


SCORM = b"""<?xml version="1.0"?>
<manifest identifier="com.example.privacy" xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"
  xmlns:imsmd="http://www.imsglobal.org/xsd/imsmd_v1p2">
  <metadata><imsmd:lom><imsmd:general><imsmd:title><imsmd:langstring>Data Privacy Essentials
  </imsmd:langstring></imsmd:title><imsmd:description><imsmd:langstring>Handle personal data.
  </imsmd:langstring></imsmd:description></imsmd:general></imsmd:lom></metadata>
  <organizations default="org"><organization identifier="org"><title>Data Privacy Essentials</title>
    <item identifier="i1"><title>What is personal data</title></item>
    <item identifier="i2"><title>Data subject requests</title></item>
  </organization></organizations><resources/>
</manifest>"""

CMI5 = b"""<?xml version="1.0" encoding="utf-8"?>
<courseStructure xmlns="https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd">
  <course id="https://example.com/courses/onboarding">
    <title><langstring lang="en-US">Your First Week</langstring></title>
    <description><langstring lang="en-US">Accounts, equipment and people.</langstring></description>
  </course>
  <au id="https://example.com/au/1"><title><langstring lang="en-US">Set up your laptop</langstring>
  </title><url>au1/index.html</url></au>
</courseStructure>"""


def test_scorm_and_cmi5_packages():
    scorm = read_document(SCORM, "lms", "privacy/imsmanifest.xml")
    assert scorm.title == "Data Privacy Essentials" and scorm.type == "course"
    assert "Data subject requests" in scorm.headings and "personal data" in scorm.body
    cmi5 = read_document(CMI5, "lms", "onboarding/cmi5.xml")
    assert cmi5.title == "Your First Week" and cmi5.headings == ["Set up your laptop"]


def test_a_manifest_with_an_external_entity_is_refused_not_resolved(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    evil = f"""<?xml version="1.0"?><!DOCTYPE m [<!ENTITY x SYSTEM "file://{secret}">]>
    <manifest><organizations><organization><title>&x;</title></organization></organizations>
    </manifest>""".encode()
    with pytest.raises(UnreadableFile, match="refused for safety") as info:
        read_document(evil, "lms", "imsmanifest.xml")
    assert "TOP-SECRET" not in str(info.value)


def test_html_of_50_mb_is_refused_quickly():
    raw = b"<html><body>" + b"<p>word </p>" * (50 * 2**20 // 12) + b"</body></html>"
    with pytest.raises(UnreadableFile, match="larger than"):
        read_document(raw, "s", "huge.html")


def test_toml_front_matter():
    doc = read_document(b'+++\ntitle = "Gifts"\ndescription = "What you may accept."\n+++\nBody',
                        "s", "gifts.md")
    assert (doc.title, doc.summary) == ("Gifts", "What you may accept.")
