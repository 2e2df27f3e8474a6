"""Rules for text people type: one place decides what counts as a control character."""

from __future__ import annotations

import unicodedata

# The bidirectional embeddings, overrides (U+202A-U+202E) and isolates (U+2066-U+2069): typed into a name or a
# subject they reorder what a reader sees ("invoice\u202efdp.exe" shows as "invoiceexe.pdf").
BIDI_CONTROLS = frozenset(chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A)))


def has_control_characters(value: str, allowed: str = "\n\r\t") -> bool:
    """C0, DEL and C1 (e.g. the 8-bit terminal escape) and the bidirectional controls have no place in what a
    person typed."""
    return any((unicodedata.category(ch) == "Cc" or ch in BIDI_CONTROLS) and ch not in allowed for ch in value)
