"""What a bank's file leaves unsaid is read from the file: the delimiter, the lines above the table, the header
(or none), which column is which, the decimal mark, the date order and how money out is marked. The layouts
below follow the banks' published descriptions (Knab, ASN, Lloyds, Bank of America); the real files are in
tests/fixtures/banks. Nothing here touches AWS."""

from __future__ import annotations

import pytest
from pennydesk.platform.errors import PennydeskError
from pennydesk.spending import csv_cells, csv_detect, csv_options, csv_reading
from pennydesk.spending.records import Profile

KNAB = (
    "KNAB EXPORT;;;;;;;;;\n"
    "Rekeningnummer;Transactiedatum;Valutacode;CreditDebet;Bedrag;Tegenrekeningnummer;Tegenrekeninghouder;"
    "Valutadatum;Betaalwijze;Omschrijving\n"
    "NL01KNAB0123456789;02-01-2026;EUR;D;12,50;NL02BANK0000000002;Albert Heijn;02-01-2026;Betaalautomaat;\n"
    "NL01KNAB0123456789;03-01-2026;EUR;C;1.500,00;NL03BANK0000000003;Werkgever BV;03-01-2026;Overboeking;Salaris\n"
    "NL01KNAB0123456789;15-01-2026;EUR;D;1.234,56;NL04BANK0000000004;Verhuurder;15-01-2026;Incasso;Huur januari\n"
)
ASN = (
    "02-01-2026,NL01ASNB0123456789,NL02BANK0000000002,Albert Heijn,,,,EUR,1000.00,EUR,-12.50,02-01-2026,"
    "02-01-2026,8810,BEA,12345678,,'Betaalpas 1234',1\n"
    "20-01-2026,NL01ASNB0123456789,NL03BANK0000000003,Werkgever BV,,,,EUR,987.50,EUR,2500.00,20-01-2026,"
    "20-01-2026,8810,OVB,12345679,,'Salaris januari',2\n"
    "21-01-2026,NL01ASNB0123456789,NL04BANK0000000004,Verhuurder,,,,EUR,3487.50,EUR,-950.00,21-01-2026,"
    "21-01-2026,8810,IC,12345680,,'Huur',3\n"
)
LLOYDS = (
    "Transaction Date,Transaction Type,Sort Code,Account Number,Transaction Description,Debit Amount,"
    "Credit Amount,Balance\n"
    "28/08/2024,FPI,'30-91-74,02344812,NAME REASON,,20.00,12004.61\n"
    "27/08/2024,DEB,'30-91-74,02344812,TESCO STORES 3153,45.10,,11984.61\n"
    "13/08/2024,DD,'30-91-74,02344812,BRITISH GAS,1020.00,,12029.71\n"
)
BANK_OF_AMERICA = (
    "Description,,Summary Amt.\n"
    'Beginning balance as of 01/01/2025,,"1,300.00"\n'
    'Total credits,,"3,350.00"\n'
    'Total debits,,"-2,239.98"\n'
    'Ending balance as of 01/31/2025,,"2,410.02"\n'
    "\n"
    "Date,Description,Amount,Running Bal.\n"
    '01/01/2025,Beginning balance as of 01/01/2025,,"1,300.00"\n'
    '01/27/2025,"BKOFAMERICA BC 01/25 #XXXXX4905 WITHDRWL","-150.00","1,150.00"\n'
    '01/28/2025,"HANMI BANK DES:ZELLE ID:JOHN DOE","1,000.00","2,150.00"\n'
    '01/29/2025,"CITY OF SPRINGFIELD DES:UTILITY","-1,089.98","1,060.02"\n'
)


def profile(currency: str = "EUR") -> Profile:
    return Profile(pk="USER#u1", sk="PROFILE", user_id="u1", email="u1@example.com", currency=currency,
                   categories=[], created_at="2026-01-01T00:00:00Z", updated_at="2026-01-01T00:00:00Z")


def as_downloaded(text: str, currency: str = "EUR", **given: str) -> csv_reading.Parsed:
    """The file read with no options (or only `given`), as the import does."""
    return csv_reading.parse(profile(currency), text, csv_options.plan(text, dict(given)).options)


def spent(parsed: csv_reading.Parsed) -> list[tuple[str, int, str]]:
    return [(r.value.date, r.value.amount, r.value.payee) for r in parsed.rows]


def test_a_title_line_above_the_header_and_a_d_c_column_knab() -> None:
    found = csv_detect.detect(KNAB)
    parsed = as_downloaded(KNAB)

    assert (found.delimiter, found.header_line, found.preamble, found.direction) == (";", 2, 1, "CreditDebet")
    assert (found.decimal, found.dates[0]) == ("comma", "%d-%m-%Y")
    assert spent(parsed) == [("2026-01-02", 1250, "Albert Heijn"), ("2026-01-15", 123456, "Verhuurder")]
    assert [c.line for c in parsed.credits] == [4]


def test_no_header_row_the_columns_come_from_the_data_asn() -> None:
    found = csv_detect.detect(ASN)
    parsed = as_downloaded(ASN)

    assert (found.has_header, found.date, found.payee) == (False, "column 1", "column 4")
    assert spent(parsed) == [("2026-01-02", 1250, "Albert Heijn"), ("2026-01-21", 95000, "Verhuurder")]
    assert [c.line for c in parsed.credits] == [2]


def test_debit_and_credit_columns_income_is_skipped_not_an_error_lloyds() -> None:
    parsed = as_downloaded(LLOYDS, "GBP")

    assert spent(parsed) == [("2024-08-27", 4510, "TESCO STORES 3153"), ("2024-08-13", 102000, "BRITISH GAS")]
    assert [c.line for c in parsed.credits] == [2] and parsed.errors == []


def test_a_summary_block_above_the_table_and_the_beginning_balance_row_bank_of_america() -> None:
    found = csv_detect.detect(BANK_OF_AMERICA)
    parsed = as_downloaded(BANK_OF_AMERICA, "USD")

    assert (found.header_line, found.amount, found.decimal) == (7, "Amount", "dot")
    assert spent(parsed) == [("2025-01-27", 15000, "BKOFAMERICA BC 01/25 #XXXXX4905 WITHDRWL"),
                             ("2025-01-29", 108998, "CITY OF SPRINGFIELD DES:UTILITY")]
    assert [c.line for c in parsed.credits] == [10]
    assert [z.line for z in parsed.zeros] == [8]  # the balance row has no amount


@pytest.mark.parametrize(
    ("values", "decimal"),
    [(["-12,50", "1.234,56", "1.000"], "comma"), (["-12.50", "1,234.56", "1,000"], "dot"),
     (["-62,3", "200", "75"], "comma"), (["$103.00", "$75.00"], "dot"), (["11'373.94", "10.00"], "dot"),
     (["1,000", "2,500"], "dot")],
)
def test_the_decimal_mark_is_read_from_the_amounts_themselves(values: list[str], decimal: str) -> None:
    assert csv_detect.vote_decimal(values) == decimal


def test_the_date_order_is_read_from_the_values_and_both_readings_are_kept_when_every_day_is_12_or_less() -> None:
    assert csv_detect.date_formats(["13.01.2026", "02.02.2026"]) == ["%d.%m.%Y"]
    assert csv_detect.date_formats(["2/20/19", "1/5/19"]) == ["%m/%d/%y"]
    both = csv_detect.detect("Date,Amount\n03/04/2026,-1.00\n05/06/2026,-2.00\n")
    assert csv_detect.ambiguous(both) and both.dates[:2] == ["%d/%m/%Y", "%m/%d/%Y"]
    with pytest.raises(PennydeskError) as asked:
        csv_options.refuse_ambiguous_dates(csv_options.plan("Date,Amount\n03/04/2026,-1.00\n", {}))
    assert asked.value.field == "date_format" and "%m/%d/%Y" in asked.value.message


def test_a_semicolon_file_with_decimal_commas_is_not_taken_for_a_comma_file() -> None:
    text = "Datum;Betrag;Text\n01.02.2026;-12,50;Café\n02.02.2026;-3,20;Bäcker\n03.02.2026;-1,00;Kiosk\n"

    assert csv_detect.pick_delimiter(text) == ";"


def test_pending_holds_and_zero_rows_are_skipped_and_counted() -> None:
    text = ('"Datum","Name","Status","Brutto","Auswirkung auf Guthaben"\n'
            '"14.07.2025","PayPal","Ausstehend","-13,21","Soll"\n'
            '"14.07.2025","Shop","Abgeschlossen","-13,21","Soll"\n'
            '"14.07.2025","PayPal","Abgeschlossen","13,21","Haben"\n'
            '"15.07.2025","Bank","Abgeschlossen","0,00","Soll"\n')

    parsed = as_downloaded(text)

    assert spent(parsed) == [("2025-07-14", 1321, "Shop")]
    assert ([h.line for h in parsed.holds], [c.line for c in parsed.credits], [z.line for z in parsed.zeros]) == (
        [2], [4], [5])


def test_options_given_win_over_what_was_detected() -> None:
    parsed = as_downloaded(KNAB, payee="Omschrijving")

    assert [r.value.payee for r in parsed.rows] == ["", "Huur januari"]


def test_the_row_key_is_the_bank_s_row_whatever_was_mapped() -> None:
    one = as_downloaded(KNAB).rows[0]
    other = as_downloaded(KNAB, payee="Betaalwijze").rows[0]

    assert one.value.fingerprint != other.value.fingerprint
    assert one.raw == other.raw and one.raw.startswith("RAW#2026-01-02#")


def test_the_preview_words_say_what_was_detected() -> None:
    dkb = ('"Girokonto";"DE42120300001033738756"\n\n"Kontostand vom 09.12.2025:";"4.093,32 €"\n""\n'
           '"Buchungsdatum";"Wertstellung";"Status";"Zahlungsempfänger*in";"Umsatztyp";"Betrag (€)"\n'
           '"08.12.25";"08.12.25";"Gebucht";"Max";"Eingang";"200"\n'
           '"05.12.25";"05.12.25";"Gebucht";"Firma";"Ausgang";"-62,3"\n')

    assert csv_detect.describe(csv_detect.detect(dkb)) == (
        "semicolon-separated, amounts like -62,3, dates like 08.12.25, the first 4 lines are account details, "
        "money out marked in the 'Umsatztyp' column, pending rows told by 'Status'")


def test_encodings_as_downloaded_and_as_declared() -> None:
    text = "Datum;Empfänger\n"
    assert csv_cells.decode_any(("\ufeff" + text).encode("utf-8")) == (text, "utf-8")
    assert csv_cells.decode_any(text.encode("cp1252")) == (text, "windows-1252")
    assert csv_cells.decode_any(text.encode("iso-8859-1"), charset="iso-8859-1") == (text, "iso-8859-1")
    with pytest.raises(csv_cells.NotText):
        csv_cells.decode_any(b"PK\x03\x04\x00\x00" + bytes(range(32)))
    with pytest.raises(csv_cells.NotUtf8):
        csv_cells.decode_any(text.encode("cp1252"), charset="utf-8")


def test_an_english_paypal_export_skips_its_pending_authorisation_and_the_top_up() -> None:
    text = (
        '"Date","Time","TimeZone","Name","Type","Status","Currency","Gross","Fee","Net","Transaction ID",'
        '"Balance","Balance Impact"\n'
        '"01/14/2025","12:54:01","PST","PayPal","General Authorization","Pending","USD","-13.21","0.00","-13.21",'
        '"80F00000NT000000B","89.20","Debit"\n'
        '"01/14/2025","12:56:04","PST","Shop Inc","Express Checkout Payment","Completed","USD","-13.21","0.00",'
        '"-13.21","7KE00000RD000000J","75.99","Debit"\n'
        '"01/15/2025","09:00:00","PST","","Bank Deposit to PP Account","Completed","USD","100.00","0.00","100.00",'
        '"1AB00000RD000000J","175.99","Credit"\n'
        '"01/20/2025","09:00:00","PST","Cafe","Express Checkout Payment","Completed","USD","-4.50","0.00","-4.50",'
        '"2AB00000RD000000J","171.49","Debit"\n'
    )

    found = csv_detect.detect(text)
    parsed = as_downloaded(text, "USD")

    assert (found.amount, found.status, found.direction, found.external_id) == (
        "Gross", "Status", "Balance Impact", "Transaction ID")
    assert spent(parsed) == [("2025-01-14", 1321, "Shop Inc"), ("2025-01-20", 450, "Cafe")]
    assert ([h.line for h in parsed.holds], [c.line for c in parsed.credits]) == ([2], [4])


def test_a_second_date_column_tells_the_order_the_first_leaves_open_and_times_are_read_too() -> None:
    told = csv_detect.detect("Buchungstag;Valuta;Betrag\n03.04.2026;13.04.2026;-1,00\n05.04.2026;05.04.2026;-2,00\n")
    timed = csv_detect.detect("Started Date,Description,Amount\n2025-01-05 10:20:30,Cafe,-4.50\n")

    assert not csv_detect.ambiguous(told) and told.dates == ["%d.%m.%Y"]
    assert (timed.date, timed.dates) == ("Started Date", ["%Y-%m-%d %H:%M:%S"])


def test_a_purchase_in_another_currency_counts_once_as_its_conversion_into_the_file_s_own() -> None:
    text = ('"Datum","Name","Typ","Status","Währung","Brutto","Auswirkung auf Guthaben"\n'
            '"02.03.2026","Game Store","PayPal Express-Zahlung","Abgeschlossen","USD","-10,00","Soll"\n'
            '"02.03.2026","","Allgemeine Währungsumrechnung","Abgeschlossen","USD","10,00","Haben"\n'
            '"02.03.2026","","Allgemeine Währungsumrechnung","Abgeschlossen","EUR","-9,20","Soll"\n'
            '"05.03.2026","Bäcker","PayPal Express-Zahlung","Abgeschlossen","EUR","-3,10","Soll"\n')

    found = csv_detect.detect(text)
    parsed = csv_reading.parse(profile(), text, csv_options.plan(text, {}, currency="EUR").options)

    assert (found.currency, found.currencies) == ("Währung", ["USD", "EUR"])
    assert [(r.value.date, r.value.amount) for r in parsed.rows] == [("2026-03-02", 920), ("2026-03-05", 310)]
    assert [f.line for f in parsed.foreign] == [2, 3]
