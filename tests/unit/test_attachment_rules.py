"""What a ticket takes as an attachment, decided from the file's bytes, without AWS."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from pennydesk.helpdesk.attachments import (
    MAX_BYTES,
    MAX_PER_TICKET,
    Refused,
    check_count,
    check_size,
    content_disposition,
    safe_filename,
    sniff,
)
from pennydesk.platform.errors import PayloadTooLarge

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "attachments"
PDF = (FIXTURES / "statement.pdf").read_bytes()
PNG = (FIXTURES / "console.png").read_bytes()


def test_real_files_are_typed_by_their_bytes_whatever_they_are_called() -> None:
    assert sniff(PDF, "photo.png") == "application/pdf"
    assert sniff(PNG, "invoice.pdf") == "image/png"
    assert sniff(b"date,amount\n2026-03-03,12.00\n", "march.csv") == "text/csv"
    assert sniff("Grüße, the log says: timeout\n".encode(), "notes") == "text/plain"


@pytest.mark.parametrize(
    "body",
    [
        b"<!DOCTYPE html><html><body>hi</body></html>",
        b"  <html><script>alert(1)</script>",
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        b"Dear team,\nsee <script src=//evil.example/x.js></script>",
        b"<svg onload=alert(1)>",
    ],
)
def test_markup_is_refused_even_named_as_text(body: bytes) -> None:
    with pytest.raises(Refused, match="Web pages"):
        sniff(body, "notes.txt")


def test_archives_executables_and_unknown_bytes_are_refused() -> None:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("bomb.txt", b"0" * 1_000_000)  # never unpacked: the signature is enough
    with pytest.raises(Refused, match="application/zip"):
        sniff(archive.getvalue(), "photos.zip")
    with pytest.raises(Refused, match="x-msdownload"):
        sniff(b"MZ\x90\x00" + b"\x00" * 60 + b"PE\x00\x00", "setup.pdf")
    with pytest.raises(Refused, match="could not be recognised"):
        sniff(b"\x00\x01\x02\xff\xfe" * 20, "data.bin")
    with pytest.raises(Refused, match="empty"):
        sniff(b"", "empty.txt")


def test_a_character_cut_at_the_end_of_the_window_is_still_text() -> None:
    head = ("é" * 5000).encode()[:8191] + b"\xc3"  # 8192 bytes ending mid-character
    assert len(head) == 8192
    assert sniff(head, "long.txt") == "text/plain"


def test_sizes_and_counts() -> None:
    check_size(MAX_BYTES)
    with pytest.raises(PayloadTooLarge):
        check_size(MAX_BYTES + 1)
    with pytest.raises(Refused):
        check_size(0)
    check_count(MAX_PER_TICKET - 1)
    with pytest.raises(Refused, match=str(MAX_PER_TICKET)):
        check_count(MAX_PER_TICKET)


@pytest.mark.parametrize(
    ("given", "content_type", "kept"),
    [
        ("../../etc/passwd", "text/plain", "passwd.txt"),
        ("C:\\Users\\maya\\March statement.pdf", "application/pdf", "March statement.pdf"),
        ("invoice\u202efdp.exe", "application/pdf", "invoicefdp.exe.pdf"),
        ("invoice.html", "application/pdf", "invoice.html.pdf"),
        ("  .hidden\x00\x1b[31m.png ", "image/png", "hidden[31m.png"),
        ("", "image/jpeg", "attachment.jpg"),
        (None, "text/csv", "attachment.csv"),
        ("scan.JPEG", "image/jpeg", "scan.JPEG"),
        ("a" * 300 + ".pdf", "application/pdf", "a" * 116 + ".pdf"),
    ],
)
def test_names_are_made_safe_to_show_and_to_save(given: str | None, content_type: str, kept: str) -> None:
    assert safe_filename(given, content_type) == kept


def test_a_download_is_always_an_attachment_with_its_real_name() -> None:
    header = content_disposition('Kontoauszug "März"; 2026.pdf')
    assert header.startswith('attachment; filename="Kontoauszug _M_rz__ 2026.pdf"')
    assert header.endswith("filename*=UTF-8''Kontoauszug%20%22M%C3%A4rz%22%3B%202026.pdf")


def test_sizes_read_as_people_read_them_in_an_email() -> None:
    from pennydesk.helpdesk.attachments import size_text

    assert [size_text(n) for n in (507, 14_145, 2_411_724, MAX_BYTES)] == ["507 B", "14 KB", "2.3 MB", "10.0 MB"]
