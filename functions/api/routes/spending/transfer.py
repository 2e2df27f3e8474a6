"""/api/expenses/import and /api/expenses/export: expenses in and out as CSV, a bank's file imported (duplicates
recognised and reported), a date range exported. Both act on the caller's own account only: the user comes from
the session."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query
from pennydesk.platform.errors import PennydeskError
from pennydesk.spending import account, csv_cells, csv_export, csv_options, csv_reading
from pydantic import BaseModel, Field

from routes import request_body
from routes.auth_header import SECURITY, token_of

router = Router()
# Windows names a .csv file application/vnd.ms-excel, and browsers send what the system says.
ACCEPTED_TYPES = ("text/csv", "text/plain", "application/octet-stream", "application/vnd.ms-excel")


class UnsupportedMediaType(PennydeskError):
    status = 415
    code = "unsupported_media_type"


class ImportLine(BaseModel):
    line: int = Field(description="1-based line of the file as an editor shows it (the header is line 1)")
    reason: str
    column: str | None = Field(default=None, description="The header name of the cell at fault, if one is")


class ImportReport(BaseModel):
    imported: int = Field(description="Expenses stored by this request")
    duplicates: int = Field(description="Rows recognised as already recorded (external id, or date + amount + payee)")
    credits: int = Field(description="Rows skipped because they are money coming in (their sign, their direction "
                         "column such as Af/Bij or Soll/Haben, or their credit column says so)")
    holds: int = Field(default=0, description="Pending holds skipped (PayPal 'Ausstehend', 'vorgemerkt', 'Pending')")
    zeros: int = Field(default=0, description="Rows of zero skipped (a statement closing, a balance line)")
    other_currency: int = Field(default=0, description="Rows skipped because they are in another currency than "
                                "the file's own (PayPal lists a purchase in USD beside its conversion to EUR)")
    invalid: int = Field(description="Rows refused (listed in errors)")
    rows: int = Field(description="Data rows read (blank lines aside)")
    skipped: list[ImportLine] = Field(description="Duplicates and credits, by line (at most 1,000)")
    errors: list[ImportLine] = Field(description="Lines that could not be imported, and why (at most 1,000)")
    truncated: bool = Field(description="True when skipped or errors had more than 1,000 lines")
    stopped_at_line: int | None = Field(
        description="Storing stopped before this line (time ran out or AWS failed); nothing from it on was "
        "stored. Upload the same file again to finish: what was stored is skipped as duplicates."
    )
    not_stored: int = Field(description="Rows that would have been imported but were not, because storing stopped")
    categorised_by_rules: int = Field(default=0, description="Rows a payee rule put in its category (rows that "
                                      "would land in the default category; a category the file names is kept)")
    message: str


class SampleRow(BaseModel):
    line: int
    date: str
    amount: str
    payee: str
    category: str


class ImportPreview(ImportReport):
    would_import: int
    columns: list[str] = Field(description="The header's columns")
    delimiter: str = Field(description="comma, semicolon, tab or pipe (what was detected or given)")
    sample: list[SampleRow] = Field(description="The first 20 rows read as expenses")
    detected: str = Field(default="", description="What was detected, in plain words")
    date_choices: list[str] = Field(
        default_factory=list,
        description="When the dates read both day first and month first: both patterns; the import asks for "
        "date_format until one is chosen")
    date_readings: list[dict[str, str]] = Field(
        default_factory=list,
        description="For dates that read two ways: the file's first date read each way ({date_format, example, "
        "reads_as})")
    settings: dict[str, Any] = Field(default_factory=dict,
                                     description="The options the file was read with; any can be sent to change it")


def _lines(items: list[dict[str, Any]]) -> list[ImportLine]:
    return [ImportLine(line=item["line"], reason=item["reason"], column=item["column"]) for item in items]


def import_report(reply: dict[str, Any]) -> ImportReport:
    """What an import did, as csv_import.import_csv reported it, field by field."""
    return ImportReport(
        imported=reply["imported"], duplicates=reply["duplicates"], credits=reply["credits"],
        holds=reply.get("holds", 0), zeros=reply.get("zeros", 0), other_currency=reply.get("other_currency", 0),
        invalid=reply["invalid"], rows=reply["rows"], skipped=_lines(reply["skipped"]),
        errors=_lines(reply["errors"]), truncated=reply["truncated"], stopped_at_line=reply["stopped_at_line"],
        not_stored=reply["not_stored"], message=reply["message"],
        categorised_by_rules=reply.get("categorised_by_rules", 0),
    )


def import_preview(reply: dict[str, Any]) -> ImportPreview:
    """What an import would do, with what was detected and the first rows as they would be stored."""
    return ImportPreview(
        imported=reply["imported"], duplicates=reply["duplicates"], credits=reply["credits"],
        holds=reply.get("holds", 0), zeros=reply.get("zeros", 0), other_currency=reply.get("other_currency", 0),
        invalid=reply["invalid"], rows=reply["rows"], skipped=_lines(reply["skipped"]),
        errors=_lines(reply["errors"]), truncated=reply["truncated"], stopped_at_line=reply["stopped_at_line"],
        not_stored=reply["not_stored"], message=reply["message"],
        categorised_by_rules=reply.get("categorised_by_rules", 0),
        would_import=reply["would_import"], columns=reply["columns"], delimiter=reply["delimiter"],
        detected=reply.get("detected", ""), date_choices=reply.get("date_choices", []),
        date_readings=reply.get("date_readings", []),
        settings=reply.get("settings", {}),
        sample=[
            SampleRow(line=row["line"], date=row["date"], amount=row["amount"], payee=row["payee"],
                      category=row["category"])
            for row in reply["sample"]
        ],
    )


IMPORT_DESCRIPTION = """\
Send the CSV file itself as the body, exactly as your bank let you download it (`Content-Type: text/csv`;
`text/plain`, `application/octet-stream` and Windows' `application/vnd.ms-excel` are accepted too), at most
5 MB and 50,000 rows. With no options everything is detected: the encoding (UTF-8 with or without BOM,
Windows-1252, ISO-8859-1; a declared `charset` is honoured), lines above the table (account details, a
summary block), the header row or none, the delimiter, the decimal and thousands separators, the date order
(when every day is 12 or less the import asks for `date_format`; the preview shows both readings), and how
money out is marked: one signed column, debit and credit columns, or an amount with a direction column
(`Af/Bij`, `D/C`, `Soll/Haben`). Money coming in, zero rows and pending holds are skipped and counted. Any
option given overrides what was detected; the preview says what was detected and with which options.

Each data row becomes an expense unless it is a duplicate (its external id was imported before or appears
earlier in the file; otherwise an expense with the same date, amount and payee is already recorded, counted:
two identical rows import twice the first time), a credit (by `sign`), or invalid (listed in `errors` by
line with the reason). Importing the same file again imports nothing. `preview=true` judges every line and
stores nothing.

Refused whole, nothing stored: a body that is not text or not in the declared charset (400/422), other
content types (415), over 5 MB or 50,000 rows (413), no table found, a mapped column missing, dates that
read two ways without `date_format`, bad options (422).
"""


@router.post(
    "/expenses/import",
    summary="Import expenses from a bank's CSV file",
    description=IMPORT_DESCRIPTION,
    tags=["Spending"],
    security=SECURITY,
    response_description="What was imported, skipped and refused, line by line",
)
def import_expenses(
    date: Annotated[str | None, Query(min_length=1, max_length=100, description="Header name of the date column")]
    = None,
    amount: Annotated[
        str | None, Query(min_length=1, max_length=100, description="Header name of the amount column")
    ] = None,
    payee: Annotated[str | None, Query(min_length=1, max_length=100, description="Header name of the payee column")]
    = None,
    category: Annotated[
        str | None,
        Query(min_length=1, max_length=100,
              description="Header name of the category column; an empty cell takes default_category. Each "
              "value must be one of your categories."),
    ] = None,
    default_category: Annotated[
        str | None, Query(min_length=1, max_length=40, description="Category for rows without one (other)")
    ] = None,
    external_id: Annotated[
        str | None,
        Query(min_length=1, max_length=100,
              description="Header name of the bank's own transaction id; recognises duplicates first"),
    ] = None,
    note: Annotated[str | None, Query(min_length=1, max_length=100, description="Header name of a note column")]
    = None,
    delimiter: Annotated[
        csv_reading.Delimiter | None, Query(description="comma, semicolon, tab, or auto (detected)")
    ] = None,
    decimal: Annotated[
        csv_cells.DecimalMark | None,
        Query(description="The decimal separator: dot (1,234.56) or comma (1.234,56). The other one, spaces "
              "and apostrophes are accepted as thousands separators, in groups of three digits only."),
    ] = None,
    date_format: Annotated[
        str | None,
        Query(min_length=2, max_length=40, description="strftime pattern, e.g. %Y-%m-%d, %d.%m.%Y, %m/%d/%Y"),
    ] = None,
    sign: Annotated[
        csv_reading.Sign | None,
        Query(description="expenses_negative: as banks write them, money out is negative and positive rows "
              "(income, refunds) are skipped as credits; expenses_positive: expenses are positive, negative "
              "rows are skipped"),
    ] = None,
    preview: Annotated[bool, Query(description="Judge every line and store nothing")] = False,
) -> ImportPreview | ImportReport:
    profile = account.require_user_session(token_of(router))
    event = router.current_event
    media_type = request_body.media_type(event.headers)
    if media_type not in ACCEPTED_TYPES:
        raise UnsupportedMediaType(
            f"Send the CSV file as the body with Content-Type: text/csv (not {media_type or 'nothing'}).",
            field="Content-Type",
        )
    charset = _charset(event.headers.get("content-type") or "")
    text, _ = csv_cells.decode_any(event.body, base64_encoded=event.is_base64_encoded, charset=charset)
    named = {
        "date": date, "amount": amount, "payee": payee, "category": category, "external_id": external_id,
        "note": note, "default_category": default_category, "delimiter": delimiter, "decimal": decimal,
        "date_format": date_format, "sign": sign,
    }
    given = {key: value for key, value in named.items() if value is not None}
    context = router.lambda_context
    time_left = (lambda: context.get_remaining_time_in_millis() / 1000) if context is not None else None
    reply = csv_options.import_upload(profile, text, given, preview=preview, time_left=time_left)
    return import_preview(reply) if preview else import_report(reply)


def _charset(content_type: str) -> str | None:
    for part in content_type.split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset":
            return value.strip().strip('"').lower()
    return None


@router.get(
    "/expenses/export",
    summary="Export a date range of expenses as CSV",
    description="One row per expense, in date order: date,amount,currency,category,payee,note,tags,external_id,"
    "id. Amounts are positive decimal strings with the currency's decimals; tags are joined by ';'. Text cells "
    "that a spreadsheet would run as a formula start with a single quote. At most 5 years per file. The file "
    "imports back with external_id=id&payee=payee&category=category&note=note&sign=expenses_positive "
    "(everything in it is then recognised as a duplicate).",
    tags=["Spending"],
    security=SECURITY,
    responses={
        200: {"description": "The CSV file", "content": {"text/csv": {"schema": {"type": "string"}}}},
        422: {"description": "Dates not valid, reversed, more than 5 years apart, or more than 5 MB of expenses"},
    },
)
def export_expenses(
    first: Annotated[str, Query(alias="from", pattern=r"^\d{4}-\d{2}-\d{2}$", description="YYYY-MM-DD, inclusive")],
    last: Annotated[str, Query(alias="to", pattern=r"^\d{4}-\d{2}-\d{2}$", description="YYYY-MM-DD, inclusive")],
):
    profile = account.require_user_session(token_of(router))
    filename, body = csv_export.export_csv(profile, first, last)
    return Response(
        status_code=HTTPStatus.OK,
        content_type="text/csv; charset=utf-8",
        body=body,
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )
