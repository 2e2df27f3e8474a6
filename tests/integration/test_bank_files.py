"""A person uploads their bank's export exactly as downloaded, with no options: the expenses it holds are
stored, to the cent; money coming in, zero rows and pending holds are skipped and counted; uploading it again,
with or without options, stores nothing. Every count and total below was worked out by hand from the file
(see tests/fixtures/banks/README.md), never from what the code returns."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import boto3
import pytest

from infra.local.engine import REGION, HttpResult, LocalStack
from tests.support.identity import sign_in

BANKS = Path(__file__).resolve().parents[1] / "fixtures" / "banks"


@dataclass(frozen=True)
class BankFile:
    name: str
    currency: str
    years: tuple[str, str]  # the export range that covers the file
    expenses: int
    total: str
    credits: int
    holds: int = 0
    zeros: int = 0
    errors: tuple[int, ...] = ()  # lines the bank wrote broken, as the README says
    overrides: tuple[tuple[str, str], ...] = ()  # options that read the file another way, for the re-import


CORPUS = [
    BankFile("nl-ing.csv", "EUR", ("2019-01-01", "2019-12-31"), 7, "140.94", 1,
             overrides=(("payee", "Mededelingen"), ("decimal", "comma"))),
    BankFile("de-commerzbank.csv", "EUR", ("2024-01-01", "2025-12-31"), 5, "73.74", 0, zeros=2,
             overrides=(("payee", "Umsatzart"),)),
    BankFile("de-dkb.csv", "EUR", ("2025-01-01", "2025-12-31"), 5, "374.57", 3,
             overrides=(("payee", "Verwendungszweck"), ("date_format", "%d.%m.%y"))),
    BankFile("de-ing-diba.csv", "EUR", ("2025-01-01", "2025-12-31"), 17, "1953.39", 2, errors=(23,),
             overrides=(("payee", "Verwendungszweck"), ("delimiter", "semicolon"))),
    BankFile("de-paypal.csv", "EUR", ("2025-01-01", "2025-12-31"), 6, "124.77", 3, holds=2,
             overrides=(("payee", "Empfänger E-Mail-Adresse"),)),
    BankFile("de-sparkasse.csv", "EUR", ("2025-01-01", "2025-12-31"), 3, "48.79", 4, holds=3,
             overrides=(("payee", "Verwendungszweck"), ("amount", "Betrag"))),
    BankFile("de-gls.csv", "EUR", ("2025-01-01", "2025-12-31"), 16, "3374.10", 2,
             overrides=(("payee", "Verwendungszweck"),)),
    BankFile("de-outbank.csv", "EUR", ("2019-01-01", "2019-12-31"), 3, "135.89", 1,
             overrides=(("payee", "Reason"), ("date_format", "%m/%d/%y"))),
    BankFile("us-capitalone.csv", "USD", ("2015-01-01", "2016-12-31"), 1, "1000.00", 1,
             overrides=(("payee", "Category"),)),
    BankFile("us-schwab.csv", "USD", ("2022-01-01", "2022-12-31"), 3, "235.27", 1,
             overrides=(("payee", "Type"),)),
    BankFile("es-ing.csv", "EUR", ("2022-01-01", "2022-12-31"), 5, "1550.79", 5,
             overrides=(("payee", "subcategory"), ("decimal", "dot"))),
    BankFile("ch-ubs.csv", "CHF", ("2019-01-01", "2019-12-31"), 2, "210.00", 1,
             overrides=(("payee", "Description 1"),)),
    BankFile("fr-n26.csv", "EUR", ("2020-01-01", "2020-12-31"), 1, "328.00", 1,
             overrides=(("payee", "Type"),)),
    BankFile("us-mint-headerless.csv", "USD", ("2015-01-01", "2015-12-31"), 3, "5000.00", 1,
             overrides=(("payee", "column 3"),)),
]


def account(stack: LocalStack, email: str, currency: str) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {sign_in(stack, email)}"}
    changed = stack.http("PUT", "/api/me", headers=headers, json_body={"currency": currency})
    assert changed.status == 200, changed.body
    return headers


def upload(stack: LocalStack, headers: dict[str, str], body: bytes, content_type: str = "text/csv",
           **options: str) -> HttpResult:
    return stack.http("POST", "/api/expenses/import", query=urlencode(options),
                      headers={**headers, "Content-Type": content_type}, body=body)


def imported(stack: LocalStack, headers: dict[str, str], body: bytes, **options: str) -> dict[str, Any]:
    result = upload(stack, headers, body, **options)
    assert result.status == 200, result.body
    return result.json()


def stored(stack: LocalStack, headers: dict[str, str], years: tuple[str, str]) -> list[Decimal]:
    """The amounts of every expense stored, as the export lists them."""
    result = stack.http("GET", "/api/expenses/export", query=urlencode({"from": years[0], "to": years[1]}),
                        headers=headers)
    assert result.status == 200, result.body
    return [Decimal(row["amount"]) for row in csv.DictReader(io.StringIO(result.body.decode("utf-8")))]


def spending_items() -> list[dict[str, Any]]:
    """Every expense, running total and import marker in the spending table, straight from DynamoDB."""
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    items = dynamodb.scan(TableName="SpendingTable", ConsistentRead=True)["Items"]
    return [i for i in items if i["sk"]["S"].startswith(("EXP#", "TOTAL#", "EXT#", "FP#", "RAW#"))]


@pytest.mark.parametrize("bank", CORPUS, ids=[b.name for b in CORPUS])
def test_a_bank_s_file_as_downloaded_imports_its_expenses_to_the_cent_and_only_once(
    stack: LocalStack, bank: BankFile
) -> None:
    me = account(stack, "spender@example.com", bank.currency)
    body = (BANKS / bank.name).read_bytes()

    reply = imported(stack, me, body)

    assert (reply["imported"], reply["credits"], reply["holds"], reply["zeros"]) == (
        bank.expenses, bank.credits, bank.holds, bank.zeros), reply["message"]
    assert [e["line"] for e in reply["errors"]] == list(bank.errors), reply["errors"]
    amounts = stored(stack, me, bank.years)
    assert (len(amounts), sum(amounts, Decimal(0))) == (bank.expenses, Decimal(bank.total))
    before = spending_items()

    again = imported(stack, me, body)
    other_mapping = imported(stack, me, body, **dict(bank.overrides))

    assert (again["imported"], again["duplicates"]) == (0, bank.expenses)
    assert other_mapping["imported"] == 0, other_mapping["message"]
    assert spending_items() == before


def test_the_preview_says_in_plain_words_what_was_detected(stack: LocalStack) -> None:
    me = account(stack, "spender@example.com", "EUR")

    dkb = imported(stack, me, (BANKS / "de-dkb.csv").read_bytes(), preview="true")
    ing = imported(stack, me, (BANKS / "de-ing-diba.csv").read_bytes(), preview="true")

    assert dkb["detected"].startswith(
        "semicolon-separated, amounts like -62,3, dates like 08.12.25, the first 4 lines are account details")
    assert dkb["settings"]["date_format"] == "%d.%m.%y" and dkb["settings"]["decimal"] == "comma"
    assert ing["detected"].startswith("semicolon-separated, amounts like -13,98, dates like 09.12.2025, the first "
                                      "13 lines are account details")
    assert spending_items() == []


def test_a_declared_charset_is_honoured(stack: LocalStack) -> None:
    me = account(stack, "spender@example.com", "EUR")
    text = "Datum;Betrag;Empfänger\n03.02.2026;-12,50;Café Nord\n04.02.2026;-1,00;Bäckerei\n"

    latin1 = imported(stack, me, text.encode("iso-8859-1"), preview="true")
    declared = upload(stack, me, text.encode("cp1252"), content_type="text/csv; charset=windows-1252",
                      preview="true")

    assert [r["payee"] for r in latin1["sample"]] == ["Café Nord", "Bäckerei"]
    assert [r["payee"] for r in declared.json()["sample"]] == ["Café Nord", "Bäckerei"]


# ------------------------------------------------------------------------------------------- bad input


def test_dates_that_read_two_ways_are_asked_about_and_nothing_is_stored_until_told(stack: LocalStack) -> None:
    me = account(stack, "spender@example.com", "EUR")
    body = b"Date,Amount,Payee\n03/04/2026,-12.50,Bakery\n05/04/2026,-3.00,Kiosk\n"

    refused = upload(stack, me, body)
    preview = imported(stack, me, body, preview="true")

    assert refused.status == 422 and refused.json()["errors"][0]["field"] == "date_format"
    assert "'03/04/2026' could be day first (%d/%m/%Y) or month first (%m/%d/%Y)" in refused.json()["message"]
    assert preview["date_choices"] == ["%d/%m/%Y", "%m/%d/%Y"]
    assert [(r["date_format"], r["reads_as"]) for r in preview["date_readings"]] == [
        ("%d/%m/%Y", "2026-04-03"), ("%m/%d/%Y", "2026-03-04")]
    assert "dates like 03/04/2026, day or month first" in preview["detected"]
    assert spending_items() == []

    told = imported(stack, me, body, date_format="%d/%m/%Y")

    assert told["imported"] == 2
    assert stored(stack, me, ("2026-04-01", "2026-04-30")) == [Decimal("12.50"), Decimal("3.00")]


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 64, 422, "not a text file"),
        (b"lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod\n" * 70_000, 422,
         "No table was found"),
        (("\n".join(";".join(f"c{i}" for i in range(300)) for _ in range(5)) + "\n").encode(), 422,
         "The table has 300 columns"),
    ],
    ids=["a binary file", "5 MB of garbage", "300 columns"],
)
def test_a_file_that_is_no_bank_export_gets_a_clear_message_and_nothing_is_stored(
    stack: LocalStack, body: bytes, status: int, words: str
) -> None:
    me = account(stack, "spender@example.com", "EUR")

    result = upload(stack, me, body)

    assert result.status == status, result.body[:300]
    assert words in result.json()["message"]
    assert spending_items() == []


def test_identical_rows_stay_separate_expenses_and_a_remapped_re_import_stores_nothing(stack: LocalStack) -> None:
    me = account(stack, "spender@example.com", "EUR")
    two_coffees = ("Buchungstag;Betrag;Empfänger;Verwendungszweck\n"
                   "02.03.2026;-3,40;Kaffeewagen;Karte 1234\n"
                   "02.03.2026;-3,40;Kaffeewagen;Karte 1234\n")

    first = imported(stack, me, two_coffees.encode())
    remapped = imported(stack, me, two_coffees.encode(), payee="Verwendungszweck")
    three = imported(stack, me, (two_coffees + "02.03.2026;-3,40;Kaffeewagen;Karte 1234\n").encode(),
                     payee="Verwendungszweck")

    assert first["imported"] == 2
    assert (remapped["imported"], remapped["duplicates"]) == (0, 2)
    assert [s["reason"] for s in remapped["skipped"]] == [
        "duplicate: the same row of the bank's file was already imported"] * 2
    assert (three["imported"], three["duplicates"]) == (1, 2)
    assert stored(stack, me, ("2026-03-01", "2026-03-31")) == [Decimal("3.40")] * 3
