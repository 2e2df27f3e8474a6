"""What an article takes as an image and where its HTML may load one from: pure rules, no AWS."""

from __future__ import annotations

from pathlib import Path

import pytest
from pennydesk.helpcenter import image_rules
from pennydesk.helpcenter.rendering import to_html
from pennydesk.platform.errors import PayloadTooLarge

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "attachments"
IMAGE_ID = "0123456789abcdef0123456789abcdef"


def test_a_real_png_is_an_image_whatever_its_name() -> None:
    assert image_rules.sniff((FIXTURES / "console.png").read_bytes()) == "image/png"


@pytest.mark.parametrize("body", [
    b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', b"hello",
    (FIXTURES / "statement.pdf").read_bytes(), b"",
])
def test_svg_pdf_text_and_nothing_are_refused(body: bytes) -> None:
    with pytest.raises(image_rules.NotAnImage):
        image_rules.sniff(body)


def test_more_than_ten_megabytes_is_too_large() -> None:
    with pytest.raises(PayloadTooLarge):
        image_rules.sniff((FIXTURES / "console.png").read_bytes() + b"\0" * image_rules.MAX_BYTES)


def test_the_markdown_names_the_route_and_an_alt_text_markdown_cannot_misread() -> None:
    assert image_rules.alt_text("C:/shots/Billing [page]_2.PNG") == "Billing page 2"
    assert image_rules.alt_text(None) == "image"
    assert image_rules.markdown("Billing page", IMAGE_ID) == f"![Billing page](/api/help/images/{IMAGE_ID})"


@pytest.mark.parametrize("src", [
    "https://tracker.example/p.gif", "data:image/png;base64,AAAA", f"/api/help/images/{IMAGE_ID}?x=1",
    f"//evil.example/api/help/images/{IMAGE_ID}", f"/api/help/images/{IMAGE_ID}/../../x", "javascript:alert(1)",
])
def test_an_image_loads_only_from_the_help_centers_own_route(src: str) -> None:
    html = to_html(f"![x]({src})")
    assert "src=" not in html, html
    assert f'<img src="/api/help/images/{IMAGE_ID}" alt="ok">' in to_html(f"![ok](/api/help/images/{IMAGE_ID})")
