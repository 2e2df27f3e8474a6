"""Text people type may not lie about itself: control characters and the bidirectional overrides and isolates
that made `moc.elpmaxe@mik` read as an address and "exe.pdf" as a PDF are refused on the way in."""

from __future__ import annotations

import pytest
from pennydesk.platform.text import has_control_characters

BIDI_CONTROLS = [chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))]


@pytest.mark.parametrize("control", BIDI_CONTROLS, ids=[f"U+{ord(c):04X}" for c in BIDI_CONTROLS])
def test_every_bidirectional_embedding_override_and_isolate_counts_as_a_control_character(control: str) -> None:
    assert has_control_characters(f"invoice{control}fdp.exe")


def test_the_c0_and_c1_controls_still_count_and_the_allowed_whitespace_does_not() -> None:
    assert has_control_characters("bell\x07")
    assert has_control_characters("csi\x9b31m")
    assert not has_control_characters("two\nlines\twith a tab\r\n")
    assert has_control_characters("tab\there", allowed="\n")


def test_right_to_left_writing_itself_is_welcome() -> None:
    assert not has_control_characters("שלום, מה שלומך?")
    assert not has_control_characters("مرحبا بالعالم")
    assert not has_control_characters("Zoë — naïve café, 12 €")
