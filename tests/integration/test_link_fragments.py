"""Emailed links carry their token in the fragment (`#token=…`), never in the query string: browsers never
send a fragment to a server, so the token stays out of CloudFront's access logs, Referer headers and mail
scanners' requests."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from pennydesk.helpdesk.feedback import survey_url
from pennydesk.identity import links, tokens

from infra.local.engine import LocalStack


def parts(url: str) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    split = urlsplit(url)
    return parse_qs(split.query), parse_qs(split.fragment)


def test_a_customer_link_names_the_ticket_in_its_query_and_carries_the_token_in_its_fragment(stack: LocalStack) -> None:
    query, fragment = parts(links.customer_ticket_url("t-1"))

    assert query == {"id": ["t-1"]}
    assert tokens.verify("customer", fragment["token"][0]).subject == "t-1"


def test_an_agent_link_keeps_its_token_out_of_the_query(stack: LocalStack) -> None:
    query, fragment = parts(links.agent_ticket_url("t-2", "agent-9"))

    assert query == {"id": ["t-2"]}
    assert tokens.verify("agent", fragment["token"][0]).claims["ticket"] == "t-2"


def test_a_survey_link_keeps_the_chosen_rating_in_the_query_and_the_token_in_the_fragment(stack: LocalStack) -> None:
    query, fragment = parts(survey_url("t-3", "signed.token", 4))

    assert query == {"id": ["t-3"], "rating": ["4"]}
    assert fragment == {"token": ["signed.token"]}


def test_a_page_link_without_a_token_has_no_fragment() -> None:
    assert urlsplit(links.page("signin.html")).fragment == ""
