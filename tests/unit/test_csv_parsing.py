"""Reading a bank's CSV: amounts in either decimal convention, dates by pattern, lines numbered as an
editor shows them, and every row judged on its own. Nothing here touches AWS."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from pennydesk.platform.errors import PayloadTooLarge, PennydeskError
from pennydesk.spending import csv_cells, csv_export, csv_reading
from pennydesk.spending.csv_cells import LineError, parse_amount
from pennydesk.spending.csv_reading import CREDIT, REFUND, Credit, Line, Occurrences, Options, Reading
from pennydesk.spending.records import Profile


def profile(currency: str = "EUR", categories: tuple[str, ...] = ()) -> Profile:
    return Profile(pk="USER#u1", sk="PROFILE", user_id="u1", email="u1@example.com", currency=currency,
                   categories=list(categories), created_at="2026-01-01T00:00:00Z",
                   updated_at="2026-01-01T00:00:00Z")


def parsed(text: str, *, currency: str = "EUR", **options: Any) -> csv_reading.Parsed:
    return csv_reading.parse(profile(currency), text, Options(**options))


@pytest.mark.parametrize(
    ("text", "decimal", "expected"),
    [
        ("-12.34", "dot", (True, "12.34")),
        ("12.34", "dot", (False, "12.34")),
        ("+12.34", "dot", (False, "12.34")),
        ("1,234.56", "dot", (False, "1234.56")),
        ("1,234,567.8", "dot", (False, "1234567.8")),
        ("-1.234,56", "comma", (True, "1234.56")),
        ("1 234,56", "comma", (False, "1234.56")),
        ("1\u00a0234,56", "comma", (False, "1234.56")),
        ("1'234.56", "dot", (False, "1234.56")),
        ("1\u2019234.56", "dot", (False, "1234.56")),
        ("(12.00)", "dot", (True, "12.00")),
        ("12.00-", "dot", (True, "12.00")),
        ("\u221212,00", "comma", (True, "12.00")),
        ("1200", "comma", (False, "1200")),
        ("1.234", "comma", (False, "1234")),  # a decimal comma makes the dot a thousands separator
        ("1,234", "dot", (False, "1234")),
        ("0,00", "comma", (False, "0.00")),
        ("  -7,5 ", "comma", (True, "7.5")),
    ],
)
def test_amounts_are_read_in_the_decimal_convention_asked_for(text: str, decimal: Any, expected: Any) -> None:
    assert parse_amount(text, decimal) == expected


@pytest.mark.parametrize(
    ("text", "decimal", "hint"),
    [
        ("12,34", "dot", "decimal=comma"),  # a decimal comma in a dot file: refused, with the likely fix
        ("1.234,56", "dot", "decimal=comma"),
        ("1,234.56", "comma", "decimal=dot"),
        ("1,23", "dot", None),  # thousands separators only in groups of three
        ("12,3456.00", "dot", None),
        ("1,234 567.00", "dot", None),  # one kind of separator per number
        ("1.2.3", "dot", None),
        ("12.34 EUR", "dot", None),
        ("€12.34", "dot", None),
        ("1e3", "dot", None),
        (".50", "dot", None),
        ("--5", "dot", None),
        ("(-5)", "dot", None),
        ("", "dot", None),
    ],
)
def test_anything_else_is_not_an_amount(text: str, decimal: Any, hint: str | None) -> None:
    with pytest.raises(LineError) as refused:
        parse_amount(text, decimal)
    if hint:
        assert hint in str(refused.value)


def test_a_date_pattern_must_name_year_month_and_day() -> None:
    for good in ("%Y-%m-%d", "%d.%m.%Y", "%m/%d/%Y", "%d/%m/%y", "%Y%m%d", "%d %b %Y", "%Y-%m-%d %H:%M"):
        assert csv_cells.check_date_format(good) == good
    for bad in ("%d.%m", "%m/%Y", "date", "%Y-%m-%m", "%-d.%-m.%Y", ""):
        with pytest.raises(PennydeskError) as refused:
            csv_cells.check_date_format(bad)
        assert refused.value.field == "date_format"


def test_utf8_is_required_and_a_bom_is_dropped() -> None:
    assert csv_cells.decode("\ufeffdate,amount\n".encode()) == "date,amount\n"
    assert csv_cells.decode(base64.b64encode(b"date,amount\n"), base64_encoded=True) == "date,amount\n"
    with pytest.raises(csv_cells.NotUtf8) as not_utf8:
        csv_cells.decode("date,payee\n2026-01-01,Caf\u00e9\n".encode("cp1252"))
    assert "line 2" in not_utf8.value.message
    with pytest.raises(csv_cells.NotUtf8):
        csv_cells.decode("date,payee\nCaf\ufffd\n")  # replaced on the way in: still not the user's text
    with pytest.raises(csv_cells.NotUtf8):
        csv_cells.decode("date,amount\n".encode("utf-16"))
    for empty in (None, b"", "  \n"):
        with pytest.raises(PennydeskError):
            csv_cells.decode(empty)


def test_lines_are_numbered_as_an_editor_shows_them() -> None:
    text = (
        "\n"                                        # 1 blank before the header
        "date,amount,note\n"                        # 2 header
        '2026-01-01,-1.00,"two\r\nlines"\r\n'      # 3-4 (Windows line ends)
        "\n"                                        # 5 blank
        "2026-01-02,oops,x\n"                       # 6
        '2026-01-03,-2.00,"three\n\nlines"\n'       # 7-9
        "2026-01-04,5.00,credit\n"                  # 10
        ",,\n"                                      # 11 only delimiters: not a row
        "2026-01-05,-3.00\n"                        # 12 a cell short
    )

    result = parsed(text, note="note")

    assert [r.line for r in result.rows] == [3, 7]
    assert [r.value.note for r in result.rows] == ["two\nlines", "three\n\nlines"]  # a CRLF inside reads as \\n
    assert [(e.line, e.column) for e in result.errors] == [(6, "amount"), (12, None)]
    assert [c.line for c in result.credits] == [10]
    assert result.count == 5


def test_header_names_match_exactly_first_then_ignoring_case() -> None:
    result = parsed("Date,AMOUNT,amount\n2026-01-01,-1.00,-2.00\n", amount="amount")
    assert result.rows[0].value.amount == 200
    assert parsed("DATE,Amount\n2026-01-01,-1.00\n").rows[0].value.amount == 100
    with pytest.raises(PennydeskError, match="appears 2 times"):
        parsed("date,amount,amount\n2026-01-01,-1.00,-2.00\n")


def test_a_missing_column_is_named_with_the_header_s_columns() -> None:
    with pytest.raises(PennydeskError) as refused:
        parsed("Datum;Betrag\n01.01.2026;-1,00\n", delimiter="semicolon", payee="Empfänger", date="Datum",
               amount="Betrag")
    assert refused.value.field == "payee"
    assert "'Empfänger'" in refused.value.message and "'Datum', 'Betrag'" in refused.value.message


def test_auto_finds_the_delimiter_whose_header_has_the_columns() -> None:
    semicolons = "Datum;Betrag;Text\n01.02.2026;-12,50;Café\n02.02.2026;-3,20;Bäcker\n"
    tabs = "date\tamount\tpayee\n2026-01-01\t-1.00\tA, B and C\n"

    assert parsed(semicolons, delimiter="auto", date="Datum", amount="Betrag", decimal="comma",
                  date_format="%d.%m.%Y").delimiter == ";"
    assert parsed(tabs, delimiter="auto", payee="payee").rows[0].value.payee == "A, B and C"


def test_the_sign_option_decides_what_an_expense_is() -> None:
    text = "date,amount\n2026-01-01,-4.00\n2026-01-02,6.00\n"

    negative = parsed(text)
    positive = parsed(text, sign="expenses_positive")

    assert ([r.value.amount for r in negative.rows], [c.line for c in negative.credits]) == ([400], [3])
    assert ([r.value.amount for r in positive.rows], [c.line for c in positive.credits]) == ([600], [2])
    assert positive.credits[0].reason.startswith("not an expense")


def test_rows_are_checked_with_the_rules_of_an_expense_typed_by_hand() -> None:
    text = (
        "date,amount,payee,category\n"
        "2026-01-01,-1.5,Shop,groceries\n"     # 2: yen have no decimals
        "2026-01-02,-100,Shop,Snacks\n"        # 3: not a category of this user
        "2026-01-03,-100,Shop,\n"              # 4: empty category: the default
        f"2026-01-04,-100,{'x' * 121},other\n"  # 5: payee too long
        "1969-12-31,-100,Shop,other\n"          # 6: before 1970
    )

    result = parsed(text, currency="JPY", payee="payee", category="category", default_category="Shopping")

    assert [r.value.category for r in result.rows] == ["shopping"]
    assert {e.line: e.reason for e in result.errors} == {
        2: "amount: JPY amounts have no decimals.",
        3: "unknown category 'Snacks'; add it in your settings first",
        5: "payee: Keep the payee under 120 characters.",
        6: result.errors[-1].reason,
    }
    assert result.errors[-1].reason.startswith("date: Use a date between 1970-01-01")


def test_occurrences_count_rows_of_the_same_date_amount_and_payee_but_not_a_repeated_bank_row() -> None:
    text = (
        "date,amount,payee,ref\n"
        "2026-01-01,-3.40,Coffee,\n"      # 2: 1st coffee
        "2026-01-01,-3.40,coffee!,\n"     # 3: 2nd (same payee, normalised)
        "2026-01-01,-3.40,Coffee,X1\n"    # 4: 3rd
        "2026-01-01,-3.40,Coffee,X1\n"    # 5: line 4 again, not a 4th
        "2026-01-01,-3.50,Coffee,\n"      # 6: another amount
    )

    rows = parsed(text, payee="payee", external_id="ref").rows

    assert [(r.line, r.occurrence, r.repeat_of) for r in rows] == [
        (2, 1, None), (3, 2, None), (4, 3, None), (5, 0, 4), (6, 1, None),
    ]


def reading(header: str = "date,amount,payee,category,ref", **options: Any) -> Reading:
    mapping = {"payee": "payee", "category": "category", "external_id": "ref"} | options
    return csv_reading.prepare(profile(), header + "\n", Options(**mapping))


def test_a_row_is_read_into_the_expense_it_describes() -> None:
    value = csv_reading.read_row(7, ["2026-01-31", "-12.50", "  Corner   Shop ", " Groceries", "R1"], reading())

    assert not isinstance(value, Line)
    assert (value.date, value.amount, value.payee, value.category, value.external_id) == (
        "2026-01-31", 1250, "Corner Shop", "groceries", "R1")
    assert value.fingerprint == "FP#2026-01-31#1250#corner shop"


def test_a_row_without_category_gets_the_default_and_an_empty_id_is_none() -> None:
    value = csv_reading.read_row(2, ["2026-01-31", "-1.00", "Shop", "  ", ""], reading(default_category="Dining"))

    assert not isinstance(value, Line)
    assert (value.category, value.external_id) == ("dining", None)


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        (["2026-01-31", "-1.00", "Shop", "other"], Line(4, "expected 5 columns as in the header, found 4")),
        (["2026-01-31", "-1.00", "Shop", "other", "R1", "extra"],
         Line(4, "expected 5 columns as in the header, found 6")),
        (["2026-01-31", "1,00", "Shop", "other", "R1"],
         Line(4, "amount: '1,00' is not an amount with a decimal dot (like 1,234.56); it looks like decimal=comma",
              "amount")),
        (["31.01.2026", "-1.00", "Shop", "other", "R1"],
         Line(4, "date: '31.01.2026' is not a date written as %Y-%m-%d (like 2026-01-31)", "date")),
        (["2026-01-31", "-1.00", "Shop", "yachts", "R1"],
         Line(4, "unknown category 'yachts'; add it in your settings first", "category")),
        (["2026-01-31", "-1.00", "Shop", "other", "R" * 201], Line(4, "ref: The external id is too long.", "ref")),
    ],
)
def test_a_row_that_is_not_an_expense_says_why_and_in_which_column(cells: list[str], expected: Line) -> None:
    assert csv_reading.read_row(4, cells, reading()) == expected


def test_trailing_empty_cells_beyond_the_header_are_not_an_error() -> None:
    assert not isinstance(csv_reading.read_row(2, ["2026-01-31", "-1.00", "S", "other", "R1", "", " "], reading()),
                          Line)


def test_a_credit_is_read_before_its_date_so_a_bank_s_incoming_lines_are_never_errors() -> None:
    credit = csv_reading.read_row(3, ["not a date", "+25.00", "Salary", "other", "R2"], reading())
    refund = csv_reading.read_row(3, ["2026-01-31", "-25.00", "Shop", "other", "R2"],
                                  reading(sign="expenses_positive"))

    assert (type(credit), credit) == (Credit, Credit(3, CREDIT))
    assert (type(refund), refund) == (Credit, Credit(3, REFUND))


@pytest.mark.parametrize(
    ("negative", "amount", "sign", "credit"),
    [
        (True, "1.00", "expenses_negative", False),
        (False, "1.00", "expenses_negative", True),
        (False, "1.00", "expenses_positive", False),
        (True, "1.00", "expenses_positive", True),
        (False, "0.00", "expenses_negative", False),  # zero is neither: it reads as an expense (and is refused)
        (True, "000", "expenses_positive", False),
    ],
)
def test_which_sign_is_money_coming_in(negative: bool, amount: str, sign: Any, credit: bool) -> None:
    assert csv_reading.is_credit(negative, amount, sign) is credit


def test_occurrences_number_rows_per_fingerprint_and_a_repeated_bank_row_is_not_one() -> None:
    def clean(payee: str, ref: str | None = None) -> Any:
        value = csv_reading.read_row(1, ["2026-01-01", "-3.40", payee, "other", ref or ""], reading())
        assert not isinstance(value, Line)
        return value

    occurrences = Occurrences()
    rows = [occurrences.row(line, value) for line, value in (
        (2, clean("Coffee", "A")), (3, clean("Coffee", "A")), (4, clean("coffee")), (5, clean("Tea", "A")),
    )]

    assert [(r.occurrence, r.repeat_of) for r in rows] == [(1, None), (0, 2), (2, None), (0, 2)]


def test_an_unclosed_quote_is_an_error_on_the_line_it_starts() -> None:
    result = parsed('date,amount,note\n2026-01-01,-1.00,fine\n2026-01-02,-2.00,"never closed\nmore\n', note="note")

    assert [r.line for r in result.rows] == [2]
    assert result.errors == [Line(3, "a quoted field that starts here is never closed")]


def test_options_that_do_not_fit_the_file_refuse_it_whole_before_any_row() -> None:
    for options, field in (({"default_category": "yachts"}, "default_category"), ({"date_format": "%d"}, "date_format"),
                           ({"delimiter": "auto", "amount": "Betrag"}, "amount")):
        with pytest.raises(PennydeskError) as refused:
            parsed("date;amount\n2026-01-01;-1.00\n", **options)
        assert refused.value.field == field, options


def test_more_than_50000_rows_are_refused_whole() -> None:
    with pytest.raises(PayloadTooLarge, match="50,000"):
        parsed("date,amount\n" + "2026-01-01,0\n" * 50_001)


def test_formula_cells_are_defused_for_spreadsheets() -> None:
    assert [csv_export.guard(c) for c in ("=1+1", "+1", "-1", "@A1", "\tx", "\rx", "a=b", "", "'q")] == [
        "'=1+1", "'+1", "'-1", "'@A1", "'\tx", "'\rx", "a=b", "", "'q",
    ]


def test_an_export_range_is_real_ordered_and_at_most_five_years() -> None:
    assert csv_export.export_range("2021-01-01", "2025-12-31") == ("2021-01-01", "2025-12-31")
    assert csv_export.export_range("2024-02-29", "2029-02-27") == ("2024-02-29", "2029-02-27")
    for first, last, field in (("2021-01-01", "2026-01-01", "to"), ("2026-02-02", "2026-02-01", "to"),
                               ("2026-02-30", "2026-03-01", "from"), ("1969-01-01", "1970-01-01", "from")):
        with pytest.raises(PennydeskError) as refused:
            csv_export.export_range(first, last)
        assert refused.value.field == field
