"""A hostile content folder: links out, pipes, devices, bombs and deep nesting each fail alone."""

import io
import os
import time
import zipfile

import pytest

from index import ContentIndex, ingest_dir, list_files, read_file
from index.documents import UnreadableFile
from index.files import ParseTimeout, time_limit

from .conftest import fake_tagger, write


@pytest.fixture
def folder(tmp_path):
    src = tmp_path / "handbook"
    write(src, "good.md", "# Expense policy\nSubmit every expense within 30 days.")
    return src


def reasons(report) -> dict[str, str]:
    return dict(report.failed)


def test_a_link_to_a_file_outside_the_folder_is_never_read(tmp_path, folder):
    secret = tmp_path / "secret_key"
    secret.write_text("s3cr3t-signing-key")
    (folder / "notes.txt").symlink_to(secret)
    (folder / "passwd.txt").symlink_to("/etc/passwd")
    write(folder, "inside/real.md", "# Travel\nTravel rules.")
    (folder / "alias.md").symlink_to(folder / "inside" / "real.md")  # a link inside is fine
    ix = ContentIndex(tmp_path / "ix")
    report = ingest_dir(ix, "hb", folder, fake_tagger)
    assert "outside the source folder" in reasons(report)["notes.txt"]
    assert "outside the source folder" in reasons(report)["passwd.txt"]
    assert {"hb:good.md", "hb:alias.md", "hb:inside/real.md"} == set(ix.hashes("hb"))
    assert ix.get("hb:notes.txt") is None


def test_a_linked_folder_is_not_walked(tmp_path, folder):
    (folder / "etc").symlink_to("/etc")
    (folder / "loop").symlink_to(folder)
    assert list_files(folder) == ["good.md"]


def test_pipes_and_devices_fail_alone_without_hanging(tmp_path, folder):
    os.mkfifo(folder / "waiting.md")
    (folder / "zero.txt").symlink_to("/dev/zero")
    ix = ContentIndex(tmp_path / "ix")
    started = time.monotonic()
    report = ingest_dir(ix, "hb", folder, fake_tagger)
    assert time.monotonic() - started < 20
    assert "not a regular file" in reasons(report)["waiting.md"]
    assert "zero.txt" in reasons(report)  # outside the folder, and a device besides
    assert list(ix.hashes("hb")) == ["hb:good.md"]


def test_read_file_refuses_devices_and_oversized_files(tmp_path):
    root = tmp_path / "r"
    root.mkdir()
    (root / "big.txt").write_bytes(b"x" * 2000)
    with pytest.raises(UnreadableFile, match="larger than"):
        read_file(root, "big.txt", max_bytes=1000)
    assert read_file(root, "big.txt", max_bytes=5000) == b"x" * 2000
    with pytest.raises(UnreadableFile, match="outside"):
        read_file(root, "../r/../../etc/passwd")


def test_bombs_and_deep_nesting_fail_alone_and_the_good_file_is_indexed(tmp_path, folder):
    (folder / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    (folder / "deep.jsonl").write_text('{"title": ' + "[" * 50_000 + "]" * 50_000 + "}\n")
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", b"\0" * (80 * 2**20))  # 80 MB of zeros, ~80 KB zipped
    (folder / "bomb.docx").write_bytes(bomb.getvalue())
    assert (folder / "bomb.docx").stat().st_size < 2**20
    ix = ContentIndex(tmp_path / "ix")
    report = ingest_dir(ix, "hb", folder, fake_tagger)
    why = reasons(report)
    assert "nested too deeply" in why["deep.json"]
    assert "deep.jsonl" in why
    assert "zip bomb" in why["bomb.docx"]
    assert list(ix.hashes("hb")) == ["hb:good.md"]


def test_a_pdf_whose_page_tree_loops_or_nests_fails_alone(tmp_path, folder):
    # a page tree 5,000 levels deep: each /Pages node's only kid is the next one
    objects = ["<< /Type /Catalog /Pages 2 0 R >>"]
    depth = 5000
    for n in range(depth):
        objects.append(f"<< /Type /Pages /Kids [{n + 3} 0 R] /Count 1 >>")
    objects.append("<< /Type /Page /MediaBox [0 0 10 10] >>")
    out, offsets = io.BytesIO(), []
    out.write(b"%PDF-1.4\n")
    for i, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(f"{i} 0 obj\n{body}\nendobj\n".encode())
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF"
              .encode())
    (folder / "deep.pdf").write_bytes(out.getvalue())
    ix = ContentIndex(tmp_path / "ix")
    report = ingest_dir(ix, "hb", folder, fake_tagger)
    assert "deep.pdf" in reasons(report)
    assert list(ix.hashes("hb")) == ["hb:good.md"]


def test_a_parse_that_takes_too_long_is_stopped():
    started = time.monotonic()
    with pytest.raises(ParseTimeout, match="longer than 0.2 s"):
        with time_limit(0.2):
            while True:
                pass
    assert time.monotonic() - started < 2
