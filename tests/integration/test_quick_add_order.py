"""Quick add (issue 15): a day's expenses list in the order they were entered, newest first, whatever their
ids' randomness; across days, by date. The API's order, which the month page shows as it comes."""

from __future__ import annotations

from infra.local.engine import LocalStack
from tests.support.actors import signed_in


def test_a_days_expenses_list_in_the_order_they_were_entered(stack: LocalStack) -> None:
    maya = signed_in(stack, "maya@example.com")
    entered = [maya.add(f"{n}.00", "groceries", "2026-10-15")["id"] for n in range(1, 13)]
    earlier = maya.add("99.00", "dining", "2026-10-14")["id"]
    later = maya.add("98.00", "dining", "2026-10-16")["id"]

    listed = [e["id"] for e in maya.listing("2026-10")]

    assert listed == [later, *reversed(entered), earlier]
    paged = [e["id"] for page in maya.pages("2026-10", limit=5) for e in page]
    assert paged == listed
