"""What a rate limit counts: one inbox however its address is spelled, one IPv6 /64 however many addresses
a visitor takes from it. Plain functions over values."""

from __future__ import annotations

import pytest
from pennydesk.platform.ratelimit import client_key, inbox_key


@pytest.mark.parametrize(
    "spelling",
    [
        "victim@example.com",
        "Victim@Example.COM",
        "victim+1@example.com",
        "victim+news+2@EXAMPLE.com",
        " victim@example.com ",
    ],
)
def test_every_spelling_of_one_inbox_counts_as_that_inbox(spelling: str) -> None:
    assert inbox_key(spelling) == "victim@example.com"


def test_different_inboxes_stay_apart() -> None:
    assert inbox_key("victim@example.com") != inbox_key("victim@example.org")
    assert inbox_key("victim@example.com") != inbox_key("victim2@example.com")


def test_an_address_that_is_all_tag_is_left_whole() -> None:
    assert inbox_key("+tag@example.com") == "+tag@example.com"


@pytest.mark.parametrize(
    ("address", "key"),
    [
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"),
        ("2001:DB8:1:2::1", "2001:db8:1:2::/64"),
        ("203.0.113.7", "203.0.113.7"),
        ("::ffff:203.0.113.7", "203.0.113.7"),
    ],
)
def test_one_ipv6_network_is_one_client_and_an_ipv4_address_is_itself(address: str, key: str) -> None:
    assert client_key(address) == key


def test_neighbouring_ipv6_networks_stay_apart() -> None:
    assert client_key("2001:db8:1:2::1") != client_key("2001:db8:1:3::1")


def test_something_that_is_no_address_is_counted_as_written() -> None:
    assert client_key("not-an-ip") == "not-an-ip"
