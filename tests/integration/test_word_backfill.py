"""Tickets stored before subject words were indexed become findable by `q=` words: the operator's backfill
(`python -m infra.backfill_words`) indexes what is missing, a page at a time, resumes from its printed
cursor, and writes nothing twice."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import boto3
import pytest

from infra.backfill_words import run
from infra.local.engine import REGION, LocalStack
from tests.support.helpdesk import submit_ticket
from tests.support.identity import bearer, sign_in
from tests.support.records import stored_items
from tests.support.stack import ADMIN

SUBJECTS = ["Refund for March", "Password reset loops", "Refund twice charged", "Export is empty", "Login fails"]


def words_found(stack: LocalStack, session: str, q: str) -> list[int]:
    answer = stack.http("GET", "/api/agent/tickets", query=urlencode({"view": "all", "q": q}), headers=bearer(session))
    assert answer.status == 200, answer.body
    return sorted(t["number"] for t in answer.json()["tickets"])


def findable(stack: LocalStack, session: str) -> set[int]:
    return {n for word in ("refund", "password", "export", "login") for n in words_found(stack, session, word)}


def forget_words() -> int:
    """The tickets as they were before intake wrote their words: every WORD# item goes."""
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    words = [i for i in stored_items() if i["pk"]["S"].startswith("WORD#")]
    for item in words:
        dynamodb.delete_item(TableName="TicketsTable", Key={"pk": item["pk"], "sk": item["sk"]})
    return len(words)


def test_older_tickets_become_findable_by_words_resumably_and_only_once(stack: LocalStack) -> None:
    numbers = {s: submit_ticket(stack, subject=s, email=f"c{i}@example.com").json()["number"]
               for i, s in enumerate(SUBJECTS)}
    stack.drain()
    admin = sign_in(stack, ADMIN)
    indexed = sorted((i["pk"]["S"], i["sk"]["S"], json.dumps(i, sort_keys=True))
                     for i in stored_items() if i["pk"]["S"].startswith("WORD#"))
    assert forget_words() == len(indexed) > 0
    assert words_found(stack, admin, "refund") == []
    others = sorted(json.dumps(i, sort_keys=True) for i in stored_items())

    printed: list[str] = []

    def stop_after_two_pages(line: str) -> None:
        printed.append(line)
        if len(printed) == 2:
            raise KeyboardInterrupt  # the run stops (a crash, Ctrl-C)

    with pytest.raises(KeyboardInterrupt):
        run(None, 2, out=stop_after_two_pages)
    assert printed[1].startswith("4 tickets looked at, 4 indexed")
    assert len(findable(stack, admin)) == 4  # part-way: exactly the tickets looked at
    cursor = json.loads(printed[-1].rsplit("next: ", 1)[1])

    resumed: list[str] = []
    assert run(cursor, 2, out=resumed.append) == (1, 1)  # from where it stopped: the one ticket left
    assert resumed[-1].endswith("next: done")

    assert words_found(stack, admin, "refund") == sorted([numbers["Refund for March"], numbers["Refund twice charged"]])
    assert words_found(stack, admin, "march refund") == [numbers["Refund for March"]]
    assert words_found(stack, admin, "password") == [numbers["Password reset loops"]]
    assert sorted((i["pk"]["S"], i["sk"]["S"], json.dumps(i, sort_keys=True))
                  for i in stored_items() if i["pk"]["S"].startswith("WORD#")) == indexed  # as intake wrote them
    assert sorted(json.dumps(i, sort_keys=True) for i in stored_items() if not i["pk"]["S"].startswith("WORD#")) \
        == others  # no ticket (or anything else) touched
    assert stack.pump() == 0  # so the ticket stream has nothing to do

    again: list[str] = []
    assert run(None, 2, out=again.append) == (len(SUBJECTS), 0)  # a second run writes nothing
    assert all("(0 word items this page)" in line for line in again)
