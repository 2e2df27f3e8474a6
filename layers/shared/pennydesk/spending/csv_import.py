"""Importing a bank's CSV: the rows `csv_reading` found valid, judged against what is stored, then stored.

Rows already recorded are recognised by external id first, then by date + amount + payee (the FP# markers'
counts). Rows are stored in chunks, each chunk one TransactWriteItems holding its expenses, markers and
aggregated running totals, so totals always equal the sum of the expenses; the report says exactly which
lines were skipped or refused, and if storing stops early (time, an AWS error) from which line nothing was
stored. Importing the same file again imports nothing, which also makes "upload it again" the way to
finish an import that stopped early.
"""

from __future__ import annotations

import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from aws_lambda_powertools import Logger
from pynamodb.exceptions import TransactWriteError

from pennydesk.platform.clock import iso, utcnow
from pennydesk.platform.dynamo import cancellation_codes, retrying, transaction
from pennydesk.platform.errors import Conflict
from pennydesk.spending import expenses, money, rule_store
from pennydesk.spending.csv_reading import DELIMITERS, Line, Options, Parsed, Row, parse
from pennydesk.spending.expenses import Clean
from pennydesk.spending.records import EXTERNAL_ID_PREFIX, Expense, Marker, Profile, expense_sk, external_id_sk, user_pk

MAX_LISTED = 1000  # lines listed per kind (skipped, errors); `truncated` says when more were left off
SAMPLE_ROWS = 20
MAX_TX_ITEMS = 100  # DynamoDB's TransactWriteItems limit
BATCH_GET_MAX_KEYS = 1000  # ten BatchGetItem requests; a larger file's markers are read by range Queries
# Storing stops this long before the function's deadline (or 3 chunk-times, if more) so the report gets out.
DEADLINE_MARGIN_SECONDS = 1.5
logger = Logger(child=True)


@dataclass
class _State:
    """What the table holds for this file's keys: counts stored by others, and by this import so far."""

    external: set[str] = field(default_factory=set)  # external ids already stored
    others: Counter[str] = field(default_factory=Counter)  # fingerprint -> expenses not from this import
    own: Counter[str] = field(default_factory=Counter)  # fingerprint -> expenses this import stored
    exists: set[str] = field(default_factory=set)  # fingerprints whose marker item exists

    def read(self, user_id: str, rows: list[Row]) -> None:
        """(Re)read the markers these rows need, strongly consistent: BatchGetItem (100 keys a request) for
        up to BATCH_GET_MAX_KEYS keys; beyond that, range Queries over the file's dates and external ids,
        which read the same markers in a few 1 MB pages (a 10,000-row file: ~4 requests instead of 200)."""
        keys = {external_id_sk(r.value.external_id) for r in rows if r.value.external_id}
        keys |= {r.value.fingerprint for r in rows} | {r.raw for r in rows if r.raw}
        pk = user_pk(user_id)
        if len(keys) <= BATCH_GET_MAX_KEYS:
            markers = Marker.batch_get([(pk, sk) for sk in sorted(keys)], consistent_read=True)
        else:
            markers = _ranges(pk, keys)
        found = {m.sk: m for m in markers if m.sk in keys}
        for sk in keys:
            marker = found.get(sk)
            if sk.startswith(EXTERNAL_ID_PREFIX):
                if marker is not None:
                    self.external.add(sk.removeprefix(EXTERNAL_ID_PREFIX))
            elif marker is not None:
                self.exists.add(sk)
                self.others[sk] = int(marker.count or 0) - self.own[sk]

    def duplicate(self, row: Row) -> str | None:
        value = row.value
        if row.repeat_of is not None:
            return f"duplicate: external id {value.external_id!r} is also on line {row.repeat_of}"
        if value.external_id and value.external_id in self.external:
            return f"duplicate: external id {value.external_id!r} was already imported"
        if self.others[value.fingerprint] >= row.occurrence:
            return "duplicate: an expense with the same date, amount and payee is already recorded"
        if row.raw and self.others[row.raw] >= row.raw_occurrence:
            return "duplicate: the same row of the bank's file was already imported"
        return None


def _ranges(pk: str, keys: set[str]) -> Iterator[Marker]:
    """Every marker between the file's first and last date, and between its lowest and highest external id."""
    for kind in ("FP", "RAW"):
        days = sorted(k.split("#")[1] for k in keys if k.startswith(f"{kind}#"))
        if days:  # "$" sorts just after "#": the upper bound takes in every key of the last day
            yield from Marker.query(pk, Marker.sk.between(f"{kind}#{days[0]}#", f"{kind}#{days[-1]}$"),
                                    consistent_read=True)
    external = sorted(k for k in keys if k.startswith(EXTERNAL_ID_PREFIX))
    if external:
        yield from Marker.query(pk, Marker.sk.between(external[0], external[-1]), consistent_read=True)


@dataclass
class _Chunk:
    rows: list[Row] = field(default_factory=list)
    fingerprints: Counter[str] = field(default_factory=Counter)
    totals: expenses.TotalsChange = field(default_factory=expenses.TotalsChange)
    items: int = 0

    def cost(self, row: Row) -> int:
        value = row.value
        return (1 + (1 if value.external_id else 0) + (value.fingerprint not in self.fingerprints)
                + (bool(row.raw) and row.raw not in self.fingerprints)
                + ((value.month, None) not in self.totals) + ((value.month, value.category) not in self.totals))

    def add(self, row: Row) -> None:
        value = row.value
        self.items += self.cost(row)
        self.rows.append(row)
        self.fingerprints[value.fingerprint] += 1
        if row.raw:
            self.fingerprints[row.raw] += 1  # counted and conditioned like a fingerprint
        self.totals.add(value.month, value.category, value.amount, 1)


class _Stop(Exception):
    """Storing stops here: lines from `line` on were not stored."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(reason)
        self.line = line
        self.reason = reason


@dataclass
class Report:
    rows: int = 0
    imported: int = 0
    duplicates: int = 0
    credits: int = 0
    holds: int = 0  # pending holds (not booked yet): never spending
    zeros: int = 0  # rows of zero: nothing spent
    foreign: int = 0  # rows in another currency than the file's own
    pending: int = 0  # rows that would import but were not stored because storing stopped
    skipped: list[Line] = field(default_factory=list)
    errors: list[Line] = field(default_factory=list)
    stopped_at_line: int | None = None
    stop_reason: str | None = None

    def skip(self, line: Line) -> None:
        self.skipped.append(line)

    def message(self, would_import: int | None = None) -> str:
        verb, count = ("Would import", would_import) if would_import is not None else ("Imported", self.imported)
        parts = [f"{verb} {count} of {self.rows} rows"]
        parts += [f"{n} {word}{'' if n == 1 else 's'}{rest}" for n, word, rest in (
            (self.duplicates, "duplicate", " skipped"), (self.credits, "credit", " skipped"),
            (self.holds, "pending hold", " skipped"), (self.zeros, "zero row", " skipped"),
            (self.foreign, "row", " in another currency skipped"),
            (len(self.errors), "line", " with errors")) if n]
        text = "; ".join(parts) + "."
        if self.stopped_at_line is not None:
            text += (f" Stopped before line {self.stopped_at_line} ({self.stop_reason}): {self.pending} rows from "
                     "there on were not stored. Upload the same file again to import them; what is already "
                     "stored will be skipped as duplicates.")
        return text


def _expense(profile: Profile, value: Clean) -> Expense:
    """The same item expenses.create_clean writes."""
    expense_id = uuid.uuid4().hex
    now = iso(utcnow())
    return Expense(
        pk=user_pk(profile.user_id), sk=expense_sk(expense_id), expense_id=expense_id, amount=value.amount,
        category=value.category, date=value.date, month=value.month, date_key=f"{value.date}#{expense_id}",
        payee=value.payee, note=value.note, tags=value.tags, external_id=value.external_id,
        fingerprint=value.fingerprint, created_at=now, updated_at=now, version=1,
    )


def _commit(profile: Profile, chunk: _Chunk, state: _State) -> None:
    """One TransactWriteItems for the chunk. Each fingerprint's count must still be what was read, so a
    concurrent import or edit of the same rows cancels it (and the chunk is re-judged row by row)."""
    user_id = profile.user_id
    pk = user_pk(user_id)
    with transaction() as tx:
        for row in chunk.rows:
            expense = _expense(profile, row.value)
            tx.save(expense, condition=Expense.pk.does_not_exist())
            if row.value.external_id:
                tx.save(Marker(pk=pk, sk=external_id_sk(row.value.external_id), expense_id=expense.expense_id),
                        condition=Marker.pk.does_not_exist())
        for fp, added in chunk.fingerprints.items():
            expected = state.others[fp] + state.own[fp]
            condition = (Marker.count == expected) if fp in state.exists else Marker.pk.does_not_exist()
            tx.update(Marker(pk=pk, sk=fp), actions=[Marker.count.add(added)], condition=condition)
        chunk.totals.stage(tx, user_id)


def _stored(state: _State, row: Row, report: Report) -> None:
    state.own[row.value.fingerprint] += 1
    state.exists.add(row.value.fingerprint)
    if row.raw:
        state.own[row.raw] += 1
        state.exists.add(row.raw)
    if row.value.external_id:
        state.external.add(row.value.external_id)
    report.imported += 1


def _one_by_one(profile: Profile, chunk: _Chunk, state: _State, report: Report,
                out_of_time: Callable[[], bool]) -> None:
    """After a cancelled chunk: read its markers again, re-judge each row, store the rest singly."""
    state.read(profile.user_id, chunk.rows)
    for row in chunk.rows:
        if _skipped_as_duplicate(state, row, report):
            continue
        if out_of_time():
            raise _Stop(row.line, "the time for this request ran out")
        try:
            expenses.create_clean(profile, row.value)
        except Conflict as exc:
            if exc.field == "external_id":
                report.duplicates += 1
                report.skip(Line(row.line, f"duplicate: external id {row.value.external_id!r} was already imported"))
            else:
                report.errors.append(Line(row.line, f"not stored: {exc.message} Import the file again to add it."))
            continue
        except Exception as exc:
            logger.exception("import: storing a row failed")
            raise _Stop(row.line, f"storing failed ({type(exc).__name__})") from exc
        if row.raw:  # the expense is stored; its raw-row count follows (a lost count only risks a re-import)
            Marker(pk=user_pk(profile.user_id), sk=row.raw).update(actions=[Marker.count.add(1)])
        _stored(state, row, report)


def _flush(profile: Profile, chunk: _Chunk, state: _State, report: Report,
           out_of_time: Callable[[], bool]) -> None:
    """Store one chunk; raises _Stop (naming the first line not stored) when storing can't go on."""
    if not chunk.rows:
        return
    if out_of_time():
        raise _Stop(chunk.rows[0].line, "the time for this request ran out")
    try:
        retrying(
            lambda: _commit(profile, chunk, state),
            retry_on=expenses.CONFLICTS, final=expenses.FINAL, message=expenses.CROWDED,
        )
    except (TransactWriteError, Conflict) as exc:
        codes = cancellation_codes(exc)
        logger.info("import: chunk cancelled, storing its rows one by one", extra={"codes": codes})
        _one_by_one(profile, chunk, state, report, out_of_time)
        return
    except Exception as exc:
        logger.exception("import: storing a chunk failed")
        raise _Stop(chunk.rows[0].line, f"storing failed ({type(exc).__name__})") from exc
    for row in chunk.rows:
        _stored(state, row, report)


def run(profile: Profile, parsed: Parsed, *, preview: bool = False,
        time_left: Callable[[], float] | None = None) -> tuple[Report, list[Row]]:
    """Judge every row against what is stored and (unless previewing) store the rest, chunk by chunk.

    Returns the report and, for a preview, the rows that would be imported.
    """
    report = Report(rows=parsed.count, errors=list(parsed.errors), credits=len(parsed.credits),
                    holds=len(parsed.holds), zeros=len(parsed.zeros), foreign=len(parsed.foreign))
    state = _State()
    state.read(profile.user_id, [r for r in parsed.rows if r.repeat_of is None])
    would_import: list[Row] = []
    if preview:
        would_import = [row for row in parsed.rows if not _skipped_as_duplicate(state, row, report)]
    else:
        _Storing(profile, state, report, time_left).store(parsed.rows)
    report.skipped.extend(parsed.credits + parsed.holds + parsed.zeros + parsed.foreign)
    report.skipped.sort(key=lambda item: item.line)
    report.errors.sort(key=lambda item: item.line)
    return report, would_import


def _skipped_as_duplicate(state: _State, row: Row, report: Report) -> bool:
    """Whether the row is already stored (or repeats an earlier line); if so, the report says so."""
    reason = state.duplicate(row)
    if reason:
        report.duplicates += 1
        report.skip(Line(row.line, reason))
    return reason is not None


@dataclass
class _Storing:
    """Stores the rows that are not duplicates chunk by chunk, until the rows end or storing must stop."""

    profile: Profile
    state: _State
    report: Report
    time_left: Callable[[], float] | None
    chunk: _Chunk = field(default_factory=_Chunk)
    slowest: float = 0.0  # the longest a chunk took, in seconds
    stopped: _Stop | None = None
    not_stored: list[Row] = field(default_factory=list)

    def store(self, rows: list[Row]) -> None:
        for row in rows:
            if self.stopped is None and self.chunk.items + self.chunk.cost(row) > MAX_TX_ITEMS:
                self.flush()
            if self.stopped is not None:
                self.not_stored.append(row)
            elif not _skipped_as_duplicate(self.state, row, self.report):
                self.chunk.add(row)
        if self.stopped is None:
            self.flush()
        if self.stopped is not None:
            self.report_stop(self.stopped)

    def out_of_time(self) -> bool:
        margin = max(DEADLINE_MARGIN_SECONDS, 3 * self.slowest)
        return self.time_left is not None and self.time_left() < margin

    def flush(self) -> None:
        began = time.monotonic()
        try:
            _flush(self.profile, self.chunk, self.state, self.report, self.out_of_time)
        except _Stop as exc:
            self.stopped = exc
            self.not_stored.extend(row for row in self.chunk.rows if row.line >= exc.line)
        self.slowest = max(self.slowest, time.monotonic() - began)
        self.chunk = _Chunk()

    def report_stop(self, stop: _Stop) -> None:
        """From the stop on, duplicates are still reported as such; the rest were not stored."""
        self.report.stopped_at_line, self.report.stop_reason = stop.line, stop.reason
        for row in self.not_stored:
            if not _skipped_as_duplicate(self.state, row, self.report):
                self.report.pending += 1


def apply_rules(profile: Profile, parsed: Parsed, default_category: str) -> int:
    """Rows that would land in the default category take the category of the payee rule that wins (a
    category the file names itself is kept). One Query reads every rule; each row is matched in time that
    does not grow with the number of rules. Returns how many rows a rule categorised."""
    default = " ".join(default_category.split()).lower()
    matcher = rule_store.matcher(profile)
    if not len(matcher):
        return 0
    changed = 0
    for index, row in enumerate(parsed.rows):
        rule = matcher.match(row.value.payee) if row.value.category == default else None
        if rule is not None and rule.category != default:
            parsed.rows[index] = replace(row, value=replace(row.value, category=rule.category))
            changed += 1
    return changed


def import_csv(profile: Profile, text: str, options: Options, *, preview: bool = False,
               time_left: Callable[[], float] | None = None) -> dict[str, Any]:
    """Parse, judge and (unless previewing) store a bank's CSV; the reply says exactly what happened."""
    parsed = parse(profile, text, options)
    by_rules = apply_rules(profile, parsed, options.default_category)
    report, would_import = run(profile, parsed, preview=preview, time_left=time_left)
    truncated = len(report.skipped) > MAX_LISTED or len(report.errors) > MAX_LISTED
    reply: dict[str, Any] = {
        "imported": report.imported,
        "duplicates": report.duplicates,
        "credits": report.credits,
        "holds": report.holds,
        "zeros": report.zeros,
        "other_currency": report.foreign,
        "invalid": len(report.errors),
        "rows": report.rows,
        "skipped": [item.view() for item in report.skipped[:MAX_LISTED]],
        "errors": [item.view() for item in report.errors[:MAX_LISTED]],
        "truncated": truncated,
        "stopped_at_line": report.stopped_at_line,
        "not_stored": report.pending,
        "categorised_by_rules": by_rules,
        "message": report.message(len(would_import) if preview else None) + (
            f" Your rules chose the category of {by_rules} row{'' if by_rules == 1 else 's'}." if by_rules else ""),
    }
    if preview:
        currency = profile.currency
        reply |= {
            "would_import": len(would_import),
            "columns": parsed.columns,
            "delimiter": next(name for name, d in DELIMITERS.items() if d == parsed.delimiter),
            "sample": [
                {"line": r.line, "date": r.value.date, "amount": money.format(r.value.amount, currency),
                 "payee": r.value.payee, "category": r.value.category}
                for r in parsed.rows[:SAMPLE_ROWS]
            ],
        }
    return reply
