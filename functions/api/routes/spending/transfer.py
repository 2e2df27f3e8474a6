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
from pennydesk.spending import account, csv_io
from pydantic import BaseModel, Field

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
    credits: int = Field(description="Rows skipped because their sign says they are not expenses")
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
    delimiter: str = Field(description="comma, semicolon or tab (what auto detected)")
    sample: list[SampleRow] = Field(description="The first 20 rows read as expenses")


def _lines(items: list[dict[str, Any]]) -> list[ImportLine]:
    return [ImportLine(line=item["line"], reason=item["reason"], column=item["column"]) for item in items]


def import_report(reply: dict[str, Any]) -> ImportReport:
    """What an import did, as csv_io.import_csv reported it, field by field."""
    return ImportReport(
        imported=reply["imported"], duplicates=reply["duplicates"], credits=reply["credits"],
        invalid=reply["invalid"], rows=reply["rows"], skipped=_lines(reply["skipped"]),
        errors=_lines(reply["errors"]), truncated=reply["truncated"], stopped_at_line=reply["stopped_at_line"],
        not_stored=reply["not_stored"], message=reply["message"],
    )


def import_preview(reply: dict[str, Any]) -> ImportPreview:
    """What an import would do, with what was detected and the first rows as they would be stored."""
    return ImportPreview(
        imported=reply["imported"], duplicates=reply["duplicates"], credits=reply["credits"],
        invalid=reply["invalid"], rows=reply["rows"], skipped=_lines(reply["skipped"]),
        errors=_lines(reply["errors"]), truncated=reply["truncated"], stopped_at_line=reply["stopped_at_line"],
        not_stored=reply["not_stored"], message=reply["message"],
        would_import=reply["would_import"], columns=reply["columns"], delimiter=reply["delimiter"],
        sample=[
            SampleRow(line=row["line"], date=row["date"], amount=row["amount"], payee=row["payee"],
                      category=row["category"])
            for row in reply["sample"]
        ],
    )


IMPORT_DESCRIPTION = """\
Send the CSV file itself as the body (`Content-Type: text/csv`; `text/plain`, `application/octet-stream` and
Windows' `application/vnd.ms-excel` are accepted too), UTF-8, at most 5 MB and 50,000 rows, with a header
row. The query says which header column holds what and how numbers and dates are written.

Each data row becomes an expense unless it is a duplicate (its external id was imported before or appears
earlier in the file; otherwise an expense with the same date, amount and payee is already recorded, counted:
two identical rows import twice the first time), a credit (by `sign`), or invalid (listed in `errors` by
line with the reason). Importing the same file again imports nothing. `preview=true` judges every line and
stores nothing.

Refused whole, nothing stored: a body that is not UTF-8 (400), other content types (415), over 5 MB or
50,000 rows (413), no header or a mapped column missing from it, bad options (422).
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
    date: Annotated[str, Query(min_length=1, max_length=100, description="Header name of the date column")] = "date",
    amount: Annotated[
        str, Query(min_length=1, max_length=100, description="Header name of the amount column")
    ] = "amount",
    payee: Annotated[str | None, Query(min_length=1, max_length=100, description="Header name of the payee column")]
    = None,
    category: Annotated[
        str | None,
        Query(min_length=1, max_length=100,
              description="Header name of the category column; an empty cell takes default_category. Each "
              "value must be one of your categories."),
    ] = None,
    default_category: Annotated[
        str, Query(min_length=1, max_length=40, description="Category for rows without one")
    ] = "other",
    external_id: Annotated[
        str | None,
        Query(min_length=1, max_length=100,
              description="Header name of the bank's own transaction id; recognises duplicates first"),
    ] = None,
    note: Annotated[str | None, Query(min_length=1, max_length=100, description="Header name of a note column")]
    = None,
    delimiter: Annotated[
        csv_io.Delimiter, Query(description="comma, semicolon, tab, or auto (detected from the first 8 KB)")
    ] = "comma",
    decimal: Annotated[
        csv_io.DecimalMark,
        Query(description="The decimal separator: dot (1,234.56) or comma (1.234,56). The other one, spaces "
              "and apostrophes are accepted as thousands separators, in groups of three digits only."),
    ] = "dot",
    date_format: Annotated[
        str, Query(min_length=2, max_length=40, description="strftime pattern, e.g. %Y-%m-%d, %d.%m.%Y, %m/%d/%Y")
    ] = "%Y-%m-%d",
    sign: Annotated[
        csv_io.Sign,
        Query(description="expenses_negative: as banks write them, money out is negative and positive rows "
              "(income, refunds) are skipped as credits; expenses_positive: expenses are positive, negative "
              "rows are skipped"),
    ] = "expenses_negative",
    preview: Annotated[bool, Query(description="Judge every line and store nothing")] = False,
) -> ImportPreview | ImportReport:
    profile = account.require_user_session(token_of(router))
    event = router.current_event
    media_type = (event.headers.get("content-type") or "").split(";")[0].strip().lower()
    if media_type not in ACCEPTED_TYPES:
        raise UnsupportedMediaType(
            f"Send the CSV file as the body with Content-Type: text/csv (not {media_type or 'nothing'}).",
            field="Content-Type",
        )
    charset = _charset(event.headers.get("content-type") or "")
    if charset not in (None, "utf-8", "utf8"):
        raise csv_io.NotUtf8(f"The file is in {charset}; export or save it as UTF-8 and upload it again.",
                             field="Content-Type")
    text = csv_io.decode(event.body, base64_encoded=event.is_base64_encoded)
    options = csv_io.Options(
        date=date, amount=amount, payee=payee, category=category, external_id=external_id, note=note,
        default_category=default_category, delimiter=delimiter, decimal=decimal, date_format=date_format, sign=sign,
    )
    context = router.lambda_context
    time_left = (lambda: context.get_remaining_time_in_millis() / 1000) if context is not None else None
    reply = csv_io.import_csv(profile, text, options, preview=preview, time_left=time_left)
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
    filename, body = csv_io.export_csv(profile, first, last)
    return Response(
        status_code=HTTPStatus.OK,
        content_type="text/csv; charset=utf-8",
        body=body,
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )
