"""The help center through the API function: admins write articles, anyone reads, searches and rates them,
the ticket form's suggestions and the deflection figures. Bad input is a clear 4xx, never a 5xx."""

from __future__ import annotations

import re
import uuid
from typing import Any
from urllib.parse import quote

import pytest

from infra.local.engine import HttpResult, LocalStack
from tests.support.identity import bearer, sign_in
from tests.support.stack import ADMIN

DOUBLE_CHARGE = {
    "title": "Charged twice for one order",
    "body": "If your card shows **two charges** for one order, the second is a hold.\n\nIt disappears within "
    "five days; if it does not, [write to us](https://pennydesk.example/).",
    "category": "billing",
    "published": True,
}
REFUNDS = {"title": "Refunds", "body": "How refunds work when a payment is charged twice by mistake.",
           "category": "billing", "published": True}
PASSWORD = {"title": "Reset your password", "body": "Open the sign-in page and ask for a new link.",
            "category": "technical", "published": True}


class Desk:
    """An admin's session and the calls the help pages make."""

    def __init__(self, stack: LocalStack) -> None:
        self.stack = stack
        self.admin = bearer(sign_in(stack, ADMIN))

    def write(self, **article: Any) -> dict[str, Any]:
        created = self.stack.http("POST", "/api/admin/articles", headers=self.admin, json_body=article)
        assert created.status == 201, created.body
        return created.json()

    def change(self, article_id: str, **changes: Any) -> HttpResult:
        return self.stack.http("PATCH", f"/api/admin/articles/{article_id}", headers=self.admin, json_body=changes)

    def read(self, slug: str) -> HttpResult:
        return self.stack.http("GET", f"/api/help/articles/{slug}")

    def search(self, q: str, **params: str) -> HttpResult:
        query = "&".join(f"{k}={quote(v)}" for k, v in {"q": q, **params}.items())
        return self.stack.http("GET", "/api/help/articles", query=query)

    def found(self, q: str, **params: str) -> list[str]:
        answer = self.search(q, **params)
        assert answer.status == 200, answer.body
        return [a["slug"] for a in answer.json()["articles"]]

    def suggested(self, q: str) -> list[str]:
        answer = self.stack.http("GET", "/api/help/suggest", query=f"q={quote(q)}")
        assert answer.status == 200, answer.body
        return [a["slug"] for a in answer.json()["articles"]]

    def vote(self, slug: str, helpful: bool, visitor: str) -> HttpResult:
        return self.stack.http(
            "POST", f"/api/help/articles/{slug}/vote", json_body={"helpful": helpful, "visitor": visitor}
        )

    def event(self, slug: str, event: str, from_form: bool = False) -> HttpResult:
        return self.stack.http(
            "POST", f"/api/help/articles/{slug}/events", json_body={"event": event, "from_form": from_form}
        )

    def figures(self) -> dict[str, Any]:
        report = self.stack.http("GET", "/api/admin/reports/help", headers=self.admin)
        assert report.status == 200, report.body
        return report.json()


@pytest.fixture
def desk(stack: LocalStack) -> Desk:
    return Desk(stack)


def visitor() -> str:
    return str(uuid.uuid4())


def test_an_admin_writes_an_article_and_anyone_reads_it_rendered(desk: Desk) -> None:
    created = desk.write(**DOUBLE_CHARGE)
    assert created["slug"] == "charged-twice-for-one-order" and len(created["id"]) == 32
    assert created["title"] == DOUBLE_CHARGE["title"] and created["published"] is True
    article = desk.read(created["slug"])
    assert article.status == 200, article.body
    assert set(article.json()) == {"slug", "title", "html", "category", "updated_at"}
    assert "<strong>two charges</strong>" in article.json()["html"]
    assert article.json()["category"] == "billing"


def test_a_draft_is_neither_readable_nor_found_until_published(desk: Desk) -> None:
    draft = desk.write(**{**DOUBLE_CHARGE, "published": False})
    assert desk.read(draft["slug"]).status == 404
    assert desk.found("charged twice") == []
    assert desk.change(draft["id"], published=True).status == 200
    assert desk.read(draft["slug"]).status == 200
    assert desk.found("charged twice") == [draft["slug"]]


def test_the_slug_stays_when_the_title_changes_and_an_old_slug_leads_to_the_new_one(desk: Desk) -> None:
    created = desk.write(**DOUBLE_CHARGE)
    unchanged = desk.change(created["id"], title=DOUBLE_CHARGE["title"])
    assert unchanged.status == 200 and unchanged.json()["updated_at"] == created["updated_at"]
    renamed = desk.change(created["id"], title="Two charges on your card")
    assert renamed.status == 200 and renamed.json()["slug"] == created["slug"]
    assert renamed.json()["updated_at"] > created["updated_at"]
    moved = desk.change(created["id"], slug="two-charges")
    assert moved.status == 200 and moved.json()["slugs"] == [created["slug"], "two-charges"]
    old = desk.read(created["slug"])
    assert old.status == 200 and old.json()["slug"] == "two-charges"
    assert old.json()["title"] == "Two charges on your card"


def test_a_second_article_with_the_same_title_gets_its_own_slug_and_a_taken_slug_is_refused(desk: Desk) -> None:
    first = desk.write(**DOUBLE_CHARGE)
    second = desk.write(**DOUBLE_CHARGE)
    assert second["slug"] == f"{first['slug']}-2"
    taken = desk.change(second["id"], slug=first["slug"])
    assert taken.status == 409 and taken.json()["errors"][0]["field"] == "slug"


def test_a_deleted_article_is_gone_from_every_slug_and_from_search(desk: Desk) -> None:
    created = desk.write(**DOUBLE_CHARGE)
    desk.change(created["id"], slug="two-charges")
    gone = desk.stack.http("DELETE", f"/api/admin/articles/{created['id']}", headers=desk.admin)
    assert gone.status == 204
    assert desk.read(created["slug"]).status == 404 and desk.read("two-charges").status == 404
    assert desk.found("charged") == []
    assert desk.stack.http("GET", f"/api/admin/articles/{created['id']}", headers=desk.admin).status == 404


def test_only_an_admin_writes_articles(desk: Desk) -> None:
    customer = bearer(sign_in(desk.stack, "kim@example.com"))
    for headers, status in (({}, 401), (customer, 403)):
        answer = desk.stack.http("POST", "/api/admin/articles", headers=headers, json_body=DOUBLE_CHARGE)
        assert answer.status == status, answer.body
    assert desk.found("charged") == []


@pytest.mark.parametrize(
    "body",
    [
        "<script>alert(1)</script>",
        "[click me](javascript:alert(document.cookie))",
        '<a href="javascript:alert(1)">click</a>',
        "<img src=x onerror=alert(1)>",
        '<p onmouseover="alert(1)">hover</p>',
        '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(1)</script></svg>',
        "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    ],
)
def test_no_markup_that_could_run_script_survives(desk: Desk, body: str) -> None:
    created = desk.write(title="Tricky", body=f"Read this.\n\n{body}", published=True)
    html = desk.read(created["slug"]).json()["html"]
    markup = " ".join(re.findall(r"<[^>]+>", html)).lower()  # text is escaped: every < left is an element
    assert not re.search(r"<(script|svg|img|iframe|object|embed)\b", markup), html
    assert not re.search(r"\son\w+\s*=", markup), html
    assert not re.search(r"(href|src)\s*=\s*[\"']?\s*(javascript|data|vbscript):", markup), html
    preview = desk.stack.http("POST", "/api/admin/articles/preview", headers=desk.admin, json_body={"body": body})
    assert preview.status == 200 and f"<p>Read this.</p>\n{preview.json()['html']}" == html


def test_a_body_of_one_megabyte_is_refused_and_one_over_the_field_limit_too(desk: Desk) -> None:
    huge = desk.stack.http(
        "POST", "/api/admin/articles", headers=desk.admin, json_body={**DOUBLE_CHARGE, "body": "x" * 1_000_000}
    )
    assert huge.status == 413 and huge.json()["code"] == "payload_too_large"
    long = desk.stack.http(
        "POST", "/api/admin/articles", headers=desk.admin, json_body={**DOUBLE_CHARGE, "body": "x" * 50_001}
    )
    assert long.status == 422 and long.json()["errors"][0]["field"] == "body"


def test_search_finds_words_in_any_form_order_and_with_a_typo_title_first(desk: Desk) -> None:
    for article in (PASSWORD, REFUNDS, DOUBLE_CHARGE):
        desk.write(**article)
    assert desk.found("I was charged twice")[0] == "charged-twice-for-one-order"
    assert desk.found("twice charged")[0] == "charged-twice-for-one-order"
    assert desk.found("charging")[:2] == ["charged-twice-for-one-order", "refunds"]
    assert desk.found("refund")[0] == "refunds"  # the title's word ranks above the other's body
    assert desk.found("chraged")[0] == "charged-twice-for-one-order"
    assert desk.found("pasword") == ["reset-your-password"]
    assert desk.found("charged", category="technical") == []
    listing = desk.search("").json()["articles"]
    assert {a["slug"] for a in listing} == {"reset-your-password", "refunds", "charged-twice-for-one-order"}
    assert set(listing[0]) == {"slug", "title", "excerpt", "category", "updated_at"}


@pytest.mark.parametrize(
    "typed", ['NEAR(charged twice)', "charged*", '"charged', "-charged", "charged -twice", "title:charged",
              "charged AND OR NOT", "((((", '"""', "*", "^charged", "charged\u00a0twice"],
)
def test_the_engines_own_syntax_is_only_words(desk: Desk, typed: str) -> None:
    desk.write(**DOUBLE_CHARGE)
    answer = desk.search(typed)
    assert answer.status == 200, answer.body
    suggested = desk.stack.http("GET", "/api/help/suggest", query=f"q={quote(typed)}")
    assert suggested.status == 200, suggested.body


@pytest.mark.parametrize("typed", ["x" * 5000, "charged\x00twice", "charged\x1b[2J", "charged\u202etwice"])
def test_an_overlong_query_or_control_characters_are_a_clear_422(desk: Desk, typed: str) -> None:
    desk.write(**DOUBLE_CHARGE)
    for path in ("/api/help/articles", "/api/help/suggest"):
        answer = desk.stack.http("GET", path, query=f"q={quote(typed)}")
        assert answer.status == 422, answer.body
        assert answer.json()["errors"][0]["field"] == "q" and answer.json()["message"]


def test_where_sqlite_lacks_fts5_search_answers_a_clear_503_and_the_rest_of_the_help_center_works(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A runtime whose SQLite was built without FTS5 (its CREATE VIRTUAL TABLE says "no such module"): the
    index's module is pointed at one this SQLite lacks, so the real SQLite gives the real error."""
    from pennydesk.helpcenter import catalog, index

    created = desk.write(**DOUBLE_CHARGE)
    monkeypatch.setattr(index, "ENGINE", "fts5_not_compiled_in")
    monkeypatch.setattr(catalog, "_warm", catalog._Warm())  # a cold function: it must build the index
    for path in ("/api/help/articles", "/api/help/suggest"):
        answer = desk.stack.http("GET", path, query="q=charged")
        assert answer.status == 503, answer.body
        assert answer.json()["code"] == "search_unavailable" and "unavailable" in answer.json()["message"]
    assert desk.read(created["slug"]).status == 200  # reading an article needs no index
    assert desk.figures()["searches"] == 0
    monkeypatch.setattr(index, "ENGINE", "fts5")
    assert desk.found("charged") == [created["slug"]]


def test_suggestions_are_at_most_five_and_follow_the_word_being_typed(desk: Desk) -> None:
    for n in range(7):
        desk.write(title=f"Charged twice, case {n}", body="A second charge is a hold.", published=True)
    desk.write(**PASSWORD)
    assert len(desk.suggested("I was charged twice")) == 5
    assert desk.suggested("passw") == ["reset-your-password"]
    assert desk.suggested("") == []


def test_the_index_follows_every_change_to_an_article(desk: Desk) -> None:
    created = desk.write(**DOUBLE_CHARGE)
    assert desk.found("hold") == [created["slug"]]
    desk.change(created["id"], body="The extra charge is a pending authorisation.")
    assert desk.found("hold") == [] and desk.found("authorisation") == [created["slug"]]
    desk.change(created["id"], published=False)
    assert desk.found("authorisation") == []


def test_a_visitor_votes_once_per_article_and_the_figures_count_it(desk: Desk) -> None:
    created = desk.write(**DOUBLE_CHARGE)
    kim, lee = visitor(), visitor()
    assert desk.vote(created["slug"], True, kim).status == 204
    again = desk.vote(created["slug"], False, kim)
    assert again.status == 409 and again.json()["code"] == "conflict"
    assert desk.vote(created["slug"], False, lee).status == 204
    assert desk.vote("no-such-article", True, kim).status == 404
    shown = desk.stack.http("GET", f"/api/admin/articles/{created['id']}", headers=desk.admin).json()
    assert (shown["helpful"], shown["unhelpful"]) == (1, 1)
    figures = desk.figures()
    assert (figures["helpful_votes"], figures["unhelpful_votes"]) == (1, 1)


def test_one_address_cannot_vote_without_end_under_new_visitor_ids(desk: Desk) -> None:
    slug = desk.write(**DOUBLE_CHARGE)["slug"]

    def vote_from(address: str) -> HttpResult:
        return desk.stack.http(
            "POST", f"/api/help/articles/{slug}/vote", json_body={"helpful": True, "visitor": visitor()},
            source_ip=address,
        )

    assert {vote_from("198.51.100.7").status for _ in range(60)} == {204}
    refused = vote_from("198.51.100.7")
    assert refused.status == 429 and 0 < int(refused.headers["retry-after"]) <= 900
    assert vote_from("198.51.100.8").status == 204
    assert desk.figures()["helpful_votes"] == 61


def test_the_deflection_figures_count_searches_suggestions_openings_and_tickets_after_reading(desk: Desk) -> None:
    created = desk.write(**DOUBLE_CHARGE)
    desk.found("charged twice")
    desk.found("")  # a listing is not a search
    desk.suggested("charged")
    desk.suggested("zebra")  # nothing shown
    assert desk.event(created["slug"], "article_opened", from_form=True).status == 204
    assert desk.event(created["slug"], "article_opened").status == 204
    assert desk.event(created["slug"], "ticket_after_article").status == 204
    figures = desk.figures()
    assert {k: figures[k] for k in ("searches", "suggestions_shown", "opened_from_form", "tickets_after_article")} == {
        "searches": 1, "suggestions_shown": 1, "opened_from_form": 1, "tickets_after_article": 1,
    }
    assert figures["days"] == 30
    shown = desk.stack.http("GET", "/api/admin/articles", headers=desk.admin).json()["articles"]
    assert [(a["slug"], a["views"]) for a in shown] == [(created["slug"], 2)]


def test_the_figures_are_for_admins_and_a_bad_range_names_its_field(desk: Desk) -> None:
    customer = bearer(sign_in(desk.stack, "kim@example.com"))
    assert desk.stack.http("GET", "/api/admin/reports/help", headers=customer).status == 403
    reversed_range = desk.stack.http(
        "GET", "/api/admin/reports/help", headers=desk.admin, query="from=2026-11-30&to=2026-11-01"
    )
    assert reversed_range.status == 422 and reversed_range.json()["errors"][0]["field"] == "from"
