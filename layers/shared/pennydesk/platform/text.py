"""Rules for text people type: one place decides what counts as a control character."""

from __future__ import annotations

import unicodedata


def has_control_characters(value: str, allowed: str = "\n\r\t") -> bool:
    """C0, DEL and C1 (e.g. the 8-bit terminal escape) have no place in what a person typed."""
    return any(unicodedata.category(ch) == "Cc" and ch not in allowed for ch in value)
