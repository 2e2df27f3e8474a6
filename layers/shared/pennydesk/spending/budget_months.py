"""Which monthly limit each month had, so the trend never draws this month's budget across months that had
none (issue 15). The profile keeps a small map "YYYY-MM" -> the limit set in that month (0: removed); a
month's limit is the latest entry at or before it. Accounts from before the map started have one implied
entry: their limit, from the month they were created.
"""

from __future__ import annotations

from collections.abc import Mapping

from pennydesk.spending.months import shift_month

# Entries older than this are folded into one: the trend reads at most 36 months back.
KEPT_MONTHS = 36


def recorded(history: Mapping[str, int], month: str, new_limit: int | None, *, previous_limit: int | None,
             created_month: str | None) -> dict[str, int]:
    """The map after the limit changes to `new_limit` in `month`. The first change of an account that had a
    limit before the map existed first records that limit from the account's creation."""
    entries = {k: int(v) for k, v in history.items()}
    if not entries and previous_limit and created_month and created_month < month:
        entries[created_month] = int(previous_limit)
    entries[month] = int(new_limit or 0)
    oldest = shift_month(month, -KEPT_MONTHS)
    older = sorted(k for k in entries if k < oldest)
    for stale in older[:-1]:  # the latest of the old ones still says what held at `oldest`
        del entries[stale]
    return entries


def limit_in(month: str, history: Mapping[str, int] | None, current_limit: int | None,
             created_month: str | None) -> int | None:
    """The monthly limit `month` had: the latest change at or before it; before any change, none (or, for an
    account with no recorded change, its limit from its creation month on)."""
    entries = {k: int(v) for k, v in (history or {}).items()}
    if not entries:
        if current_limit and (created_month is None or month >= created_month):
            return int(current_limit)
        return None
    earlier = [k for k in entries if k <= month]
    if not earlier:
        return None
    return entries[max(earlier)] or None
