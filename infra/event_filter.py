"""Lambda event filtering, the subset Pennydesk's event source mappings use: nested keys, exact values, prefixes.

Shared by the local stack (which delivers only what a mapping's FilterCriteria let through) and infra.replay
(which replays only what the mapping would have delivered).
"""

from __future__ import annotations

from typing import Any


def matches(pattern: Any, value: Any) -> bool:
    """Whether a record (or any value within it) fits a filter pattern. A list in the event matches when any of
    its items does (EventBridge's rule for arrays, e.g. SES's mail tags)."""
    if isinstance(value, list) and not isinstance(pattern, dict):
        return any(matches(pattern, item) for item in value)
    if isinstance(pattern, dict):
        return isinstance(value, dict) and all(k in value and matches(v, value[k]) for k, v in pattern.items())
    if isinstance(pattern, list):
        for option in pattern:
            if isinstance(option, dict) and "prefix" in option:
                if isinstance(value, str) and value.startswith(option["prefix"]):
                    return True
            elif option == value:
                return True
        return False
    return pattern == value
