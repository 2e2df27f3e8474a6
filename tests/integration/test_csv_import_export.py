"""A signed-in person imports their bank's CSV, sees exactly what was skipped or refused by line, can import
the same file again without doubling anything, and exports a date range that imports back as duplicates."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import boto3
import pytest
from pennydesk.spending import account as accounts
from pennydesk.spending import csv_import
from pennydesk.spending.csv_reading import Options

from infra.local.engine import REGION, HttpResult, LocalStack
from tests.support.identity import sign_in

GERMAN_BANK = {
    "date": "Buchungstag", "amount": "Betrag", "payee": "Empfänger", "category": "Kategorie",
    "external_id": "Referenz", "delimiter": "semicolon", "decimal": "comma", "date_format": "%d.%m.%Y",
}
EXPORT_MAPPING = {
    "external_id": "id", "payee": "payee", "category": "category", "note": "note", "sign": "expenses_positive",
}


def account(stack: LocalStack, email: str, **settings: Any) -> dict[str, str]:
    """Sign in through the emailed link (creating the account) and apply any settings; the auth header."""
    headers = {"Authorization": f"Bearer {sign_in(stack, email)}"}
    if settings:
        changed = stack.http("PUT", "/api/me", headers=headers, json_body=settings)
        assert changed.status == 200, changed.body
    return headers


def upload(stack: LocalStack, headers: dict[str, str], body: str | bytes, *, content_type: str = "text/csv",
           **options: str) -> HttpResult:
    payload = body.encode("utf-8") if isinstance(body, str) else body
    return stack.http("POST", "/api/expenses/import", query=urlencode(options),
                      headers={**headers, "Content-Type": content_type}, body=payload)


def imported(stack: LocalStack, headers: dict[str, str], body: str | bytes, **options: str) -> dict[str, Any]:
    result = upload(stack, headers, body, **options)
    assert result.status == 200, result.body
    return result.json()


def month_report(stack: LocalStack, headers: dict[str, str], month: str) -> dict[str, Any]:
    report = stack.http("GET", "/api/reports/monthly", query=f"month={month}", headers=headers)
    assert report.status == 200, report.body
    data = report.json()
    return {"total": data["total"], **{c["category"]: c["total"] for c in data["categories"]}}


def expenses_in(stack: LocalStack, headers: dict[str, str], month: str) -> list[dict[str, Any]]:
    page = stack.http("GET", "/api/expenses", query=f"month={month}&limit=200", headers=headers)
    assert page.status == 200, page.body
    return page.json()["expenses"]


def export(stack: LocalStack, headers: dict[str, str], first: str, last: str) -> HttpResult:
    return stack.http("GET", "/api/expenses/export", query=urlencode({"from": first, "to": last}), headers=headers)


def spending_items() -> list[dict[str, Any]]:
    """Every expense, running total and import marker in the spending table, straight from DynamoDB."""
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    items = dynamodb.scan(TableName="SpendingTable", ConsistentRead=True)["Items"]
    return [i for i in items if i["sk"]["S"].startswith(("EXP#", "TOTAL#", "EXT#", "FP#"))]


def lines(entries: list[dict[str, Any]]) -> list[int]:
    return [e["line"] for e in entries]


def reasons(entries: list[dict[str, Any]]) -> dict[int, str]:
    return {e["line"]: e["reason"] for e in entries}


# ------------------------------------------------------------------------------------------------ import

BANK_FILE = (
    "Buchungstag;Betrag;Empfänger;Kategorie;Referenz\n"
    "03.02.2026;-12,50;Café Nord;dining;A1\n"
    "04.02.2026;2.500,00;Arbeitgeber GmbH;;A2\n"
    "05.02.2026;-1.234,56;Hausverwaltung;housing;A3\n"
    "28.02.2026;-0,99;Kiosk;;A4\n"
    "01.03.2026;-45,00;Bahn;Transport;A5\n"
)


def test_a_semicolon_decimal_comma_bank_file_imports_its_debits_and_totals_match_to_the_cent(
    stack: LocalStack,
) -> None:
    me = account(stack, "pat@example.com", currency="EUR")

    reply = imported(stack, me, BANK_FILE, **GERMAN_BANK)

    assert (reply["imported"], reply["duplicates"], reply["credits"], reply["invalid"]) == (4, 0, 1, 0)
    assert reply["rows"] == 5
    assert reply["skipped"] == [{"line": 3, "reason": "not an expense (credit)", "column": None}]
    assert reply["errors"] == [] and reply["truncated"] is False and reply["stopped_at_line"] is None
    assert month_report(stack, me, "2026-02") == {
        "total": "1248.05", "housing": "1234.56", "dining": "12.50", "other": "0.99",
    }
    assert month_report(stack, me, "2026-03") == {"total": "45.00", "transport": "45.00"}
    kiosk = next(e for e in expenses_in(stack, me, "2026-02") if e["payee"] == "Kiosk")
    assert (kiosk["amount"], kiosk["category"], kiosk["date"], kiosk["external_id"]) == (
        "0.99", "other", "2026-02-28", "A4"
    )


def test_the_same_bank_file_imported_again_imports_nothing(stack: LocalStack) -> None:
    me = account(stack, "pat@example.com", currency="EUR")
    imported(stack, me, BANK_FILE, **GERMAN_BANK)
    before = spending_items()

    again = imported(stack, me, BANK_FILE, **GERMAN_BANK)

    assert (again["imported"], again["duplicates"], again["credits"]) == (0, 4, 1)
    assert reasons(again["skipped"]) == {
        2: "duplicate: external id 'A1' was already imported",
        3: "not an expense (credit)",
        4: "duplicate: external id 'A3' was already imported",
        5: "duplicate: external id 'A4' was already imported",
        6: "duplicate: external id 'A5' was already imported",
    }
    assert spending_items() == before
    assert month_report(stack, me, "2026-02")["total"] == "1248.05"


def test_two_identical_rows_both_import_and_the_file_then_imports_nothing(stack: LocalStack) -> None:
    me = account(stack, "sam@example.com")
    two_coffees = "date,amount,payee\n2026-03-02,-3.40,Coffee Cart\n2026-03-02,-3.40,Coffee Cart\n"

    first = imported(stack, me, two_coffees, payee="payee")
    again = imported(stack, me, two_coffees, payee="payee")
    # The same coffee written differently is still the same payee; a third one that day is new.
    three = imported(stack, me, two_coffees + "2026-03-02,-3.40,COFFEE  cart!\n", payee="payee")

    assert (first["imported"], first["duplicates"]) == (2, 0)
    assert (again["imported"], again["duplicates"]) == (0, 2)
    assert set(reasons(again["skipped"]).values()) == {
        "duplicate: an expense with the same date, amount and payee is already recorded"
    }
    assert (three["imported"], three["duplicates"], lines(three["skipped"])) == (1, 2, [2, 3])
    assert month_report(stack, me, "2026-03") == {"total": "10.20", "other": "10.20"}


def test_the_external_id_decides_before_date_amount_and_payee(stack: LocalStack) -> None:
    me = account(stack, "ida@example.com")
    header = "date,amount,payee,ref\n"
    same_coffee_twice = header + "2026-03-02,-3.40,Coffee Cart,T1\n2026-03-02,-3.40,Coffee Cart,T2\n"

    first = imported(stack, me, same_coffee_twice, external_id="ref", payee="payee")
    # T1 again, corrected by the bank to another amount; T2 listed twice; a new reference T3.
    later = imported(stack, me, header + "2026-03-02,-3.60,Coffee Cart,T1\n2026-03-02,-3.40,Coffee Cart,T2\n"
                     "2026-03-02,-3.40,Coffee Cart,T2\n2026-03-05,-9.99,Cinema,T3\n", external_id="ref",
                     payee="payee")

    assert (first["imported"], first["duplicates"]) == (2, 0)
    assert later["imported"] == 1
    assert reasons(later["skipped"]) == {
        2: "duplicate: external id 'T1' was already imported",
        3: "duplicate: external id 'T2' was already imported",
        4: "duplicate: external id 'T2' is also on line 3",
    }
    assert month_report(stack, me, "2026-03")["total"] == "16.79"


def test_broken_rows_are_listed_by_line_while_the_good_rows_import_exactly(stack: LocalStack) -> None:
    me = account(stack, "kenji@example.com", currency="JPY")
    body = (
        "date,amount,payee,category\n"          # 1
        "2026-04-01,-1200,Ramen Ya,dining\n"    # 2 good
        "2026-04-02,-300\n"                     # 3 too few columns
        "2026-04-31,-500,Shop,shopping\n"       # 4 no such day
        "2026-04-03,-12x,Shop,shopping\n"       # 5 not a number
        "2026-04-04,-150.5,Konbini,groceries\n"  # 6 yen have no decimals
        "2026-04-05,-800,Gym,fitness\n"         # 7 not one of the user's categories
        "2026-04-06,-2500,Books,shopping,x\n"   # 8 too many columns
        "2026-04-07,0,Free sample,other\n"      # 9 zero
        '2026-04-08,"-3,400",Izakaya,Dining\n'  # 10 good: thousands separator, category in capitals
    )

    reply = imported(stack, me, body, payee="payee", category="category")

    assert (reply["imported"], reply["invalid"], reply["rows"]) == (2, 7, 9)
    errors = {e["line"]: e for e in reply["errors"]}
    assert sorted(errors) == [3, 4, 5, 6, 7, 8, 9]
    assert errors[3]["reason"] == "expected 4 columns as in the header, found 2"
    assert errors[4]["column"] == "date" and "'2026-04-31' is not a date written as %Y-%m-%d" in errors[4]["reason"]
    assert errors[5]["column"] == "amount" and "'-12x' is not an amount" in errors[5]["reason"]
    assert errors[6] == {"line": 6, "reason": "amount: JPY amounts have no decimals.", "column": "amount"}
    assert errors[7] == {"line": 7, "reason": "unknown category 'fitness'; add it in your settings first",
                         "column": "category"}
    assert errors[8]["reason"] == "expected 4 columns as in the header, found 5"
    assert errors[9]["column"] == "amount" and "more than zero" in errors[9]["reason"]
    assert month_report(stack, me, "2026-04") == {"total": "4600", "dining": "4600"}


def test_a_quoted_field_with_newlines_keeps_every_later_line_number_right(stack: LocalStack) -> None:
    me = account(stack, "flo@example.com")
    body = (
        "date,amount,payee,note\n"                           # 1
        "2026-05-01,-10.00,Florist,\"Mum's birthday\n"       # 2 starts here...
        'flowers, with ""card"""\n'                         # 3 ...ends here
        "2026-05-02,-abc,Bad amount,one line\n"              # 4
        '2026-05-03,-5.00,Bakery,"a\n'                       # 5
        "b\n"                                                # 6
        'c"\n'                                               # 7
        "\n"                                                 # 8 blank: not a row
        "2026-05-04,+7.00,Refund,\n"                         # 9 credit
        '2026-05-05,-2.00,"Quoted"tail,\n'                   # 10 bad quoting
        '2026-05-06,-1.00,Unclosed,"oops\n'                  # 11 a quote never closed
        "2026-05-07,-1.00,Swallowed,by the quote above\n"    # 12
    )

    reply = imported(stack, me, body, payee="payee", note="note")

    assert reply["imported"] == 2
    assert lines(reply["errors"]) == [4, 10, 11]
    assert "never closed" in reasons(reply["errors"])[11]
    assert reasons(reply["skipped"]) == {9: "not an expense (credit)"}
    notes = {e["payee"]: e["note"] for e in expenses_in(stack, me, "2026-05")}
    assert notes == {"Florist": 'Mum\'s birthday\nflowers, with "card"', "Bakery": "a\nb\nc"}


def test_a_preview_judges_every_line_and_stores_nothing(stack: LocalStack) -> None:
    me = account(stack, "pat@example.com", currency="EUR")
    imported(stack, me, BANK_FILE.splitlines()[0] + "\n" + BANK_FILE.splitlines()[1] + "\n", **GERMAN_BANK)
    before = spending_items()
    auto = {**GERMAN_BANK, "delimiter": "auto"}  # '-12,50' amounts make commas look like delimiters too

    preview = imported(stack, me, BANK_FILE + "06.03.2026;-1,5x;Bad;;A6\n", **auto, preview="true")

    assert spending_items() == before
    assert (preview["imported"], preview["would_import"], preview["duplicates"], preview["credits"]) == (0, 3, 1, 1)
    assert lines(preview["errors"]) == [7]
    assert preview["delimiter"] == "semicolon"
    assert preview["columns"] == ["Buchungstag", "Betrag", "Empfänger", "Kategorie", "Referenz"]
    assert preview["sample"][:2] == [
        {"line": 2, "date": "2026-02-03", "amount": "12.50", "payee": "Café Nord", "category": "dining"},
        {"line": 4, "date": "2026-02-05", "amount": "1234.56", "payee": "Hausverwaltung", "category": "housing"},
    ]
    assert preview["message"].startswith("Would import 3 of 6 rows")
    real = imported(stack, me, BANK_FILE + "06.03.2026;-1,5x;Bad;;A6\n", **auto)
    assert real["imported"] == preview["would_import"]


def test_a_10_mb_upload_is_refused_whole_and_nothing_is_stored(stack: LocalStack) -> None:
    me = account(stack, "big@example.com")
    row = "2026-06-01,-1.00,Corner Shop,groceries\n"
    body = "date,amount,payee,category\n" + row * (10 * 1024 * 1024 // len(row) + 1)

    result = upload(stack, me, body, category="category")

    assert result.status == 413
    assert "5 MB" in result.json()["message"]
    assert spending_items() == []


def test_more_than_50000_rows_are_refused_whole_and_nothing_is_stored(stack: LocalStack) -> None:
    me = account(stack, "big@example.com")
    body = "date,amount\n" + "2026-06-01,-1\n" * 50_001  # under 1 MB

    result = upload(stack, me, body)

    assert result.status == 413
    assert "more than 50,000 rows" in result.json()["message"]
    assert spending_items() == []


def test_a_windows_1252_file_imports_as_its_utf8_twin_and_one_not_in_its_declared_charset_is_refused(
    stack: LocalStack,
) -> None:
    me = account(stack, "pat@example.com", currency="EUR")
    latin1 = BANK_FILE.encode("cp1252")

    mislabelled = upload(stack, me, latin1, content_type="text/csv; charset=utf-8", **GERMAN_BANK)
    binary = upload(stack, me, b"PK\x03\x04\x14\x00\x06\x00" + bytes(range(256)) * 40)

    assert mislabelled.status == 400
    assert mislabelled.json()["code"] == "not_utf8"
    assert "line 1" in mislabelled.json()["message"] and "utf-8" in mislabelled.json()["message"]  # Empfänger
    assert binary.status == 422 and "not a text file" in binary.json()["message"]
    assert spending_items() == []

    reply = imported(stack, me, latin1, **GERMAN_BANK)

    assert (reply["imported"], reply["credits"]) == (4, 1)
    assert "Café Nord" in [e["payee"] for e in expenses_in(stack, me, "2026-02")]


def test_a_mapped_column_missing_from_the_header_is_named_with_the_header_s_columns(stack: LocalStack) -> None:
    me = account(stack, "pat@example.com", currency="EUR")

    result = upload(stack, me, BANK_FILE, **{**GERMAN_BANK, "payee": "Auftraggeber"})
    wrong_delimiter = upload(stack, me, BANK_FILE, **{**GERMAN_BANK, "delimiter": "comma"})

    assert result.status == 422
    body = result.json()
    assert body["errors"] == [{"field": "payee", "message": body["message"]}]
    assert "'Auftraggeber'" in body["message"]
    assert "'Buchungstag', 'Betrag', 'Empfänger', 'Kategorie', 'Referenz'" in body["message"]
    assert wrong_delimiter.status == 422 and "is the delimiter right?" in wrong_delimiter.json()["message"]
    assert spending_items() == []


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"delimiter": "pipe"}, "delimiter"),
        ({"decimal": "apostrophe"}, "decimal"),
        ({"sign": "both"}, "sign"),
        ({"date_format": "%d.%m"}, "date_format"),
        ({"default_category": "snacks"}, "default_category"),
    ],
)
def test_options_that_are_not_valid_are_refused_before_anything_is_read(
    stack: LocalStack, options: dict[str, str], field: str
) -> None:
    me = account(stack, "pat@example.com")

    result = upload(stack, me, "date,amount\n2026-01-01,-1.00\n", **options)

    assert result.status == 422
    assert field in [e["field"] for e in result.json()["errors"]]
    assert spending_items() == []


def test_a_body_that_is_not_a_csv_or_empty_is_refused(stack: LocalStack) -> None:
    me = account(stack, "pat@example.com")

    as_json = upload(stack, me, '{"date": "2026-01-01"}', content_type="application/json")
    empty = upload(stack, me, "")
    no_header = upload(stack, me, "\n\n")

    assert as_json.status == 415
    assert (empty.status, no_header.status) == (422, 422)
    assert "empty" in empty.json()["message"]
    assert spending_items() == []


def test_at_most_1000_lines_are_listed_and_the_counts_still_say_how_many(stack: LocalStack) -> None:
    me = account(stack, "lots@example.com")
    body = "date,amount\n" + "2026-01-01,-1.00\n" + "2026-01-02,abc\n" * 1200 + "2026-01-03,2.00\n" * 1001

    reply = imported(stack, me, body)

    assert (reply["imported"], reply["invalid"], reply["credits"], reply["rows"]) == (1, 1200, 1001, 2202)
    assert len(reply["errors"]) == len(reply["skipped"]) == 1000
    assert reply["truncated"] is True
    assert lines(reply["errors"])[:2] == [3, 4]


def test_without_a_session_nothing_is_imported_or_exported(stack: LocalStack) -> None:
    assert upload(stack, {}, BANK_FILE, **GERMAN_BANK).status == 401
    assert export(stack, {}, "2026-01-01", "2026-12-31").status == 401
    assert spending_items() == []


# ---------------------------------------------------------------------- storing: chunks, races, deadlines


def many_rows(count: int, *, with_ids: bool = True) -> str:
    """Rows spread over 12 months and 6 categories, so chunks hold many running totals."""
    categories = ("groceries", "dining", "transport", "utilities", "shopping", "health")
    rows = ["date,amount,payee,category" + (",ref" if with_ids else "")]
    for i in range(count):
        row = f"2026-{1 + i % 12:02d}-{1 + i % 28:02d},-{1 + i % 50}.{i % 100:02d},Payee {i},{categories[i % 6]}"
        rows.append(row + (f",R{i}" if with_ids else ""))
    return "\n".join(rows) + "\n"


def expected_totals(body: str, up_to_line: int | None = None) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = {}
    for number, row in enumerate(csv.DictReader(io.StringIO(body)), start=2):
        if up_to_line is not None and number >= up_to_line:
            break
        month = row["date"][:7]
        totals[month] = totals.get(month, Decimal(0)) + Decimal(row["amount"].lstrip("-"))
    return totals


def stored_totals(stack: LocalStack, headers: dict[str, str]) -> dict[str, Decimal]:
    found = {}
    for month in range(1, 13):
        total = Decimal(month_report(stack, headers, f"2026-{month:02d}")["total"])
        if total:
            found[f"2026-{month:02d}"] = total
    return found


def test_a_file_of_many_chunks_keeps_each_transaction_within_dynamodb_s_limits(stack: LocalStack) -> None:
    """moto, like DynamoDB, refuses a transaction of more than 100 items or with two writes to one item.

    Called without a deadline: moto copies the whole table for every item of a transaction, so a file this
    size can outlast the API function's 10 s locally (the deadline tests cover that path)."""
    me = account(stack, "many@example.com")
    profile = accounts.find("many@example.com")
    assert profile is not None
    body = many_rows(70)  # 24 running totals per chunk leave room for 25 rows: three chunks
    options = Options(payee="payee", category="category", external_id="ref")

    reply = csv_import.import_csv(profile, body, options)

    assert (reply["imported"], reply["invalid"], reply["stopped_at_line"]) == (70, 0, None), reply["message"]
    assert stored_totals(stack, me) == expected_totals(body)
    assert imported(stack, me, body, payee="payee", category="category", external_id="ref")["duplicates"] == 70


def test_a_large_file_reads_its_markers_by_range_and_judges_like_a_small_one(stack: LocalStack) -> None:
    """Over 1,000 marker keys are read by range Queries (dates, external ids) instead of BatchGetItem; the
    judgement must not change, including at the first and last date and the lowest and highest id."""
    me = account(stack, "big@example.com")
    big = many_rows(600)  # R0..R599 over 2026-01-01 .. 2026-12-28: 1,200 keys
    header, *rows = big.splitlines()
    # The first date (R0), the last date (R83, 2026-12-28) and the highest id as text (R99); R0 is the lowest.
    small = "\n".join([header, rows[0], rows[83], rows[99]]) + "\n"
    assert imported(stack, me, small, payee="payee", category="category", external_id="ref")["imported"] == 3
    for day in ("2026-01-01", "2026-12-28"):  # typed by hand, so known only by date + amount + payee
        typed = stack.http("POST", "/api/expenses", headers=me, json_body={
            "amount": "9.99", "category": "other", "date": day, "payee": "Corner Shop"})
        assert typed.status == 201
    by_hand = "".join(f"{day},-9.99,Corner Shop,other,\n" for day in ("2026-01-01", "2026-12-28"))
    options = {"payee": "payee", "category": "category", "external_id": "ref", "preview": "true"}

    large = imported(stack, me, big + by_hand, **options)
    little = imported(stack, me, small + by_hand, **options)

    assert (large["duplicates"], large["would_import"]) == (5, 597)
    assert lines(large["skipped"]) == [2, 85, 101, 602, 603]
    assert (little["duplicates"], little["would_import"]) == (5, 0)


@pytest.mark.parametrize("with_ids", [True, False], ids=["external ids", "date+amount+payee"])
def test_an_import_racing_the_same_file_is_rejudged_row_by_row_and_stays_exact(
    stack: LocalStack, monkeypatch: pytest.MonkeyPatch, with_ids: bool
) -> None:
    """Two uploads of one file at once (a double click): whichever commits second finds its rows stored."""
    me = account(stack, "race@example.com")
    profile = accounts.find("race@example.com")
    assert profile is not None
    body = many_rows(40, with_ids=with_ids)
    options = Options(payee="payee", category="category", external_id="ref" if with_ids else None)
    real_commit = csv_import._commit
    other: list[dict[str, Any]] = []

    def commit_after_the_other_upload(*args: Any) -> None:
        if not other:  # the other upload runs to the end between this one's reads and its first write
            monkeypatch.setattr(csv_import, "_commit", real_commit)
            other.append(csv_import.import_csv(profile, body, options))
            monkeypatch.setattr(csv_import, "_commit", commit_after_the_other_upload)
        real_commit(*args)

    monkeypatch.setattr(csv_import, "_commit", commit_after_the_other_upload)
    late = csv_import.import_csv(profile, body, options)

    assert other[0]["imported"] == 40
    assert (late["imported"], late["duplicates"], late["invalid"]) == (0, 40, 0)
    assert stored_totals(stack, me) == expected_totals(body)


def test_storing_stops_before_the_deadline_and_says_from_which_line_nothing_was_stored(stack: LocalStack) -> None:
    me = account(stack, "slow@example.com")
    profile = accounts.find("slow@example.com")
    assert profile is not None
    body = many_rows(60)
    options = Options(payee="payee", category="category", external_id="ref")
    calls: list[int] = []

    def one_chunk_of_time() -> float:  # plenty for the first chunk, then the function is nearly out of time
        calls.append(1)
        return 60.0 if len(calls) == 1 else 0.5

    partial = csv_import.import_csv(profile, body, options, time_left=one_chunk_of_time)
    stop = partial["stopped_at_line"]
    rest = imported(stack, me, body, payee="payee", category="category", external_id="ref")

    assert stop is not None and 2 < stop <= 61
    assert partial["imported"] == stop - 2  # every row before the stop line, none from it on
    assert partial["not_stored"] == 60 - partial["imported"]
    assert f"Stopped before line {stop}" in partial["message"]
    assert (rest["imported"], rest["duplicates"], rest["stopped_at_line"]) == (60 - partial["imported"],
                                                                              partial["imported"], None)
    assert stored_totals(stack, me) == expected_totals(body)


def test_a_deadline_already_near_stores_nothing_and_says_so(stack: LocalStack) -> None:
    account(stack, "slow@example.com")
    profile = accounts.find("slow@example.com")
    assert profile is not None
    out_of_time: Callable[[], float] = lambda: 0.2  # noqa: E731

    reply = csv_import.import_csv(profile, many_rows(5), Options(), time_left=out_of_time)

    assert (reply["imported"], reply["not_stored"], reply["stopped_at_line"]) == (0, 5, 2)
    assert spending_items() == []


# ------------------------------------------------------------------------------------------------ export


def read_csv(result: HttpResult) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(result.body.decode("utf-8"))))


def test_an_export_lists_the_range_in_date_order_and_imports_back_as_all_duplicates(stack: LocalStack) -> None:
    me = account(stack, "pat@example.com", currency="EUR")
    imported(stack, me, BANK_FILE, **GERMAN_BANK)
    typed = stack.http("POST", "/api/expenses", headers=me, json_body={
        "amount": "7.00", "category": "dining", "date": "2026-02-04", "payee": 'Bistro "Chez, Moi"',
        "note": "lunch\nwith Ana", "tags": ["work", "Team Lunch"],
    })
    assert typed.status == 201
    outside = stack.http("POST", "/api/expenses", headers=me, json_body={
        "amount": "1.00", "category": "other", "date": "2026-04-01",
    })
    assert outside.status == 201

    result = export(stack, me, "2026-02-01", "2026-03-31")

    assert result.status == 200
    assert result.headers["content-type"] == "text/csv; charset=utf-8"
    assert result.headers["content-disposition"] == 'attachment; filename="pennydesk-2026-02-01-to-2026-03-31.csv"'
    assert result.body.decode().splitlines()[0] == "date,amount,currency,category,payee,note,tags,external_id,id"
    rows = read_csv(result)
    assert [(r["date"], r["amount"], r["payee"]) for r in rows] == [
        ("2026-02-03", "12.50", "Café Nord"),
        ("2026-02-04", "7.00", 'Bistro "Chez, Moi"'),
        ("2026-02-05", "1234.56", "Hausverwaltung"),
        ("2026-02-28", "0.99", "Kiosk"),
        ("2026-03-01", "45.00", "Bahn"),
    ]
    bistro = rows[1]
    assert (bistro["note"], bistro["tags"], bistro["currency"], bistro["id"]) == (
        "lunch\nwith Ana", "team lunch;work", "EUR", typed.json()["id"]
    )
    assert rows[0]["external_id"] == "A1"

    again = imported(stack, me, result.body, **EXPORT_MAPPING)

    assert (again["imported"], again["duplicates"], again["invalid"]) == (0, 5, 0), again["message"]


def test_an_export_cannot_smuggle_a_formula_into_a_spreadsheet(stack: LocalStack) -> None:
    me = account(stack, "eve@example.com")
    for payee, note in (("=HYPERLINK(\"http://x\")", "+1 555"), ("-2+3", "@SUM(A1)"), ("Plain", "plain")):
        created = stack.http("POST", "/api/expenses", headers=me, json_body={
            "amount": "12.00", "category": "other", "date": "2026-07-01", "payee": payee, "note": note,
        })
        assert created.status == 201, created.body

    result = export(stack, me, "2026-07-01", "2026-07-01")
    rows = read_csv(result)

    assert sorted((r["payee"], r["note"]) for r in rows) == [
        ("'-2+3", "'@SUM(A1)"), ("'=HYPERLINK(\"http://x\")", "'+1 555"), ("Plain", "plain"),
    ]
    assert {r["amount"] for r in rows} == {"12.00"}  # numbers stay numbers
    again = imported(stack, me, result.body, **EXPORT_MAPPING)
    assert (again["imported"], again["duplicates"]) == (0, 3)


@pytest.mark.parametrize(
    ("first", "last", "field"),
    [("2026-03-01", "2026-02-01", "to"), ("2020-01-01", "2025-01-01", "to"), ("2026-02-30", "2026-03-01", "from"),
     ("2026-1-1", "2026-03-01", "from")],
)
def test_an_export_range_must_be_real_ordered_and_at_most_five_years(
    stack: LocalStack, first: str, last: str, field: str
) -> None:
    me = account(stack, "pat@example.com")

    result = export(stack, me, first, last)

    assert result.status == 422
    assert field in [e["field"] for e in result.json()["errors"]]


def test_another_person_never_sees_or_exports_the_first_person_s_expenses(stack: LocalStack) -> None:
    pat = account(stack, "pat@example.com", currency="EUR")
    imported(stack, pat, BANK_FILE, **GERMAN_BANK)
    eve = account(stack, "eve@example.com", currency="EUR")

    eves_export = export(stack, eve, "2026-01-01", "2026-12-31")
    eves_import = imported(stack, eve, BANK_FILE, **GERMAN_BANK)  # the same references are new to her

    assert eves_export.status == 200
    assert read_csv(eves_export) == []
    assert (eves_import["imported"], eves_import["duplicates"]) == (4, 0)
    assert month_report(stack, pat, "2026-02")["total"] == month_report(stack, eve, "2026-02")["total"] == "1248.05"
    assert len(read_csv(export(stack, pat, "2026-01-01", "2026-12-31"))) == 4
