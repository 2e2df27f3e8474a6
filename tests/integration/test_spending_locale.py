"""One locale per person (issue 15): a German browser gets a German account (locale, euros), amounts typed as
Germans write them are understood and answered canonically, settings name every refused field at once, the
emails speak in the person's formats with categories by name, and the trend shows each month's own limit."""

from __future__ import annotations

from datetime import UTC, datetime

from pennydesk.spending import account

from infra.local.engine import LocalStack
from tests.support.actors import Spender, signed_in
from tests.support.outbox import outbox_for

GERMAN_BROWSER = "de-DE,de;q=0.9,en;q=0.8"
NBSP = "\u00a0"


def test_a_german_browser_opens_a_german_account_in_euros(stack: LocalStack) -> None:
    lena = signed_in(stack, "lena@example.de", accept_language=GERMAN_BROWSER)

    me = lena.me()

    assert (me["locale"], me["currency"], me["decimals"]) == ("de-DE", "EUR", 2)
    assert me["category_names"]["dining"] == "Dining"


def test_a_british_browser_gets_pounds_and_no_language_the_default(stack: LocalStack) -> None:
    assert signed_in(stack, "ann@example.co.uk", accept_language="en-GB,en;q=0.7").me()["currency"] == "GBP"
    plain = signed_in(stack, "bob@example.com").me()
    assert (plain["locale"], plain["currency"]) == ("en-US", "USD")


def test_an_older_account_shows_the_browsers_locale_but_keeps_its_currency_and_a_get_stores_nothing(
    stack: LocalStack,
) -> None:
    old = signed_in(stack, "old@example.com")
    profile = account.find("old@example.com")
    assert profile is not None
    profile.update(actions=[type(profile).locale.remove(), type(profile).currency_chosen.remove()])

    seen = stack.http("GET", "/api/me", headers={**old.auth, "Accept-Language": GERMAN_BROWSER}).json()

    assert (seen["locale"], seen["currency"]) == ("de-DE", "USD")
    assert account.find("old@example.com").locale is None  # a GET never changes state
    assert old.me()["locale"] == "en-US"


def test_an_older_account_takes_the_browsers_locale_at_its_next_sign_in_and_keeps_its_currency(
    stack: LocalStack,
) -> None:
    signed_in(stack, "old@example.com").add("5.00", "dining")
    profile = account.find("old@example.com")
    profile.update(actions=[type(profile).locale.remove(), type(profile).currency_chosen.remove()])

    again = signed_in(stack, "old@example.com", accept_language=GERMAN_BROWSER)

    assert (again.me()["locale"], again.me()["currency"]) == ("de-DE", "USD")
    assert account.find("old@example.com").locale == "de-DE"
    signed_in(stack, "old@example.com", accept_language="fr-FR")  # a stored locale is the person's: it stays
    assert account.find("old@example.com").locale == "de-DE"


def test_a_new_accounts_currency_follows_the_locale_until_chosen(stack: LocalStack) -> None:
    kim = signed_in(stack, "kim@example.com")  # no Accept-Language: en-US, USD

    assert (kim.settle(locale="de_DE")["locale"], kim.me()["currency"]) == ("de-DE", "EUR")
    kim.settle(currency="CHF")
    assert kim.settle(locale="fr-FR")["currency"] == "CHF"  # chosen: the locale no longer moves it


def test_an_existing_users_currency_never_follows_a_new_locale(stack: LocalStack) -> None:
    pat = signed_in(stack, "pat@example.com")
    pat.add("5.00", "dining")  # expenses in USD

    assert pat.settle(locale="de-DE")["currency"] == "USD"


def test_a_german_user_writes_amounts_as_germans_do_and_gets_canonical_answers(stack: LocalStack) -> None:
    lena = signed_in(stack, "lena@example.de", accept_language=GERMAN_BROWSER)

    me = lena.settle(monthly_limit="1.500,00", category_limits={"groceries": "250,50", "dining": "80"})
    assert me["monthly_limit"] == "1500.00"
    assert me["category_limits"] == {"dining": "80.00", "groceries": "250.50"}
    assert lena.settle(monthly_limit="1.500")["monthly_limit"] == "1500.00"  # the locale groups with a dot

    added = lena.add("12,50", "dining", "2026-10-03")
    assert added["amount"] == "12.50"
    assert lena.add("1.234,56 €", "housing", "2026-10-04")["amount"] == "1234.56"
    assert lena.add("7.10", "dining", "2026-10-05")["amount"] == "7.10"  # plain digits, from everyone
    edited = lena.call("PUT", f"/api/expenses/{added['id']}",
                       body={"amount": "13,75", "category": "dining", "date": "2026-10-03"})
    assert edited.status == 200 and edited.json()["amount"] == "13.75"
    assert lena.report("2026-10")["total"] == "1255.41"


def test_every_refused_setting_is_listed_at_once_and_nothing_is_stored(stack: LocalStack) -> None:
    lena = signed_in(stack, "lena@example.de", accept_language=GERMAN_BROWSER)
    before = lena.settle(monthly_limit="100,00")

    refused = lena.change(
        locale="xx-YY", monthly_limit="zwölf", category_limits={"dining": "1.50,00", "yachts": "5"},
        timezone="Mars/Olympus", alert_thresholds=[0],
    )

    assert refused.status == 422, refused.body
    assert [e["field"] for e in refused.json()["errors"]] == [
        "locale", "monthly_limit", "category_limits.dining", "category_limits.yachts", "alert_thresholds",
        "timezone",
    ]
    assert all(e["message"] for e in refused.json()["errors"])
    assert lena.me() == before


def test_a_german_users_alert_is_written_in_german_formats_with_the_category_by_name(stack: LocalStack) -> None:
    lena = signed_in(stack, "lena@example.de", accept_language=GERMAN_BROWSER)
    lena.settle(monthly_limit="5.000,00", category_limits={"dining": "100,00"})

    lena.add("80,50", "dining", "2026-12-01")
    stack.drain()

    [alert] = [m for m in outbox_for(stack, lena.email) if "budget" in m["subject"]]
    assert alert["subject"] == '80 % of your "Dining" budget used for Dezember 2026'  # subjects: plain spaces
    assert f"80,50{NBSP}€ of your \"Dining\" budget of 100,00{NBSP}€ for Dezember 2026 (80,5{NBSP}%)" in alert["text"]
    assert f"19,50{NBSP}€ is left" in alert["text"]
    for stale in ("2026-12", "dining", "80.50", "EUR"):
        assert stale not in alert["text"], stale
    assert f"<strong>80,50{NBSP}€</strong>" in alert["html"] or "<strong>80,50&nbsp;€</strong>" in alert["html"]


def test_a_german_users_digest_names_the_month_and_categories(stack: LocalStack) -> None:
    stack.advance_clock(datetime(2031, 11, 20, 9, 0, tzinfo=UTC))
    lena = signed_in(stack, "lena@example.de", accept_language=GERMAN_BROWSER)
    lena.settle(categories=["Kinder & Schule"], category_limits={"kinder & schule": "50,00"})
    lena.add("1.217,80", "kinder & schule", "2031-11-05")
    lena.add("30,00", "groceries", "2031-11-06")

    stack.run_schedule(datetime(2031, 12, 1, 8, 5, tzinfo=UTC))

    [digest] = [m for m in outbox_for(stack, lena.email) if m["subject"].endswith(" spent")]
    assert digest["subject"] == "Your November 2031: 1.247,80 € spent"
    text = digest["text"]
    assert f"- Kinder & Schule: 1.217,80{NBSP}€" in text and f"- Groceries: 30,00{NBSP}€" in text
    assert f"1.217,80{NBSP}€ of 50,00{NBSP}€ (2.435,6{NBSP}%)" in text
    for stale in ("2031-11", "kinder & schule:", "groceries:", "EUR"):
        assert stale not in text, stale


def test_the_trend_shows_no_limit_for_months_that_had_none(stack: LocalStack) -> None:
    stack.advance_clock(datetime(2031, 1, 10, 12, 0, tzinfo=UTC))
    maya = signed_in(stack, "maya@example.com")
    maya.add("40.00", "groceries", "2030-12-05")
    maya.add("60.00", "groceries", "2031-01-05")
    maya.settle(monthly_limit="500.00")  # January's budget
    stack.advance_clock(datetime(2031, 3, 2, 12, 0, tzinfo=UTC))
    signed_in(stack, "maya@example.com").settle(monthly_limit="650.00")  # March's, after a February at 500
    stack.advance_clock(datetime(2031, 4, 2, 12, 0, tzinfo=UTC))
    maya = signed_in(stack, "maya@example.com")
    maya.settle(monthly_limit=None)  # none from April

    trend = trend_of(maya, 6)

    assert trend == [
        {"month": "2030-11", "total": "0.00", "limit": None},
        {"month": "2030-12", "total": "40.00", "limit": None},
        {"month": "2031-01", "total": "60.00", "limit": "500.00"},
        {"month": "2031-02", "total": "0.00", "limit": "500.00"},
        {"month": "2031-03", "total": "0.00", "limit": "650.00"},
        {"month": "2031-04", "total": "0.00", "limit": None},
    ]


def trend_of(spender: Spender, months: int) -> list[dict]:
    answer = spender.call("GET", "/api/reports/trend", query=f"months={months}")
    assert answer.status == 200, answer.body
    return answer.json()
