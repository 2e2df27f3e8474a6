"""A ticket's attachments: stored in the private attachments bucket, recorded beside the ticket, read through
five-minute links that always download.

Three ways in, one set of rules (`attachments`): a file sent whole to the API (`store`); a presigned upload
the page sends straight to S3 (`start_upload` hands out a POST for `pending/<id>`, `complete` reads its first
bytes, checks them, and moves it to `files/<ticket>/<id>`, or deletes it and says why); and files attached
to an email (`stage_files` writes the blobs before the message or new ticket is added, `recorded_with` writes
their records in its transaction, `discard` removes them if the message is refused or the write fails).
The type kept and served is always the sniffed one. Attachments on an internal note are `internal` and never
reach the customer.

A file kept from the page is announced to the other side once: by the next message its author sends
(`claim_for`), by the email that gives the ticket to an agent, or else by that side's file notice
(`file_notices`, armed just before the file is recorded; `announce` claims the files it names).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from datetime import timedelta

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import DoesNotExist, TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from pennydesk.helpdesk import attachments, file_notices, workflow
from pennydesk.helpdesk.ticket_records import (
    FILE_PREFIX,
    PENDING_PREFIX,
    TicketEntry,
    file_object_key,
    file_sk,
    files_pk,
    pending_object_key,
    pending_sk,
)
from pennydesk.helpdesk.vocabulary import EntryKind
from pennydesk.platform import blobs
from pennydesk.platform.clock import iso_precise, utcnow
from pennydesk.platform.dynamo import KeyedModel, table_meta, transaction
from pennydesk.platform.errors import NotFound, PennydeskError
from pennydesk.platform.settings import get_settings

PUBLIC, INTERNAL = "public", "internal"
ABANDONED_AFTER = timedelta(days=1)  # as the bucket's lifecycle rule for pending/


class StoredAttachment(KeyedModel):
    """pk=FILES#<ticket id>, sk=FILE#<attachment id>: a checked file, oldest first (ids sort by time)."""

    Meta = table_meta(get_settings().tickets_table)

    attachment_id = UnicodeAttribute()
    ticket_id = UnicodeAttribute()
    filename = UnicodeAttribute()
    content_type = UnicodeAttribute()  # sniffed from its bytes
    size = NumberAttribute()
    object_key = UnicodeAttribute()
    role = UnicodeAttribute()  # customer | agent: who attached it
    source = UnicodeAttribute()  # web | email
    visibility = UnicodeAttribute(default=PUBLIC)  # internal: attached to an agent's note
    message_id = UnicodeAttribute(null=True)  # the entry it came with, when there is one
    announced_by = UnicodeAttribute(null=True)  # the notice or assignment email that named it, when no message did
    created_at = UnicodeAttribute()


class PendingUpload(KeyedModel):
    """pk=FILES#<ticket id>, sk=PENDING#<attachment id>: an upload handed out, not yet completed."""

    Meta = table_meta(get_settings().tickets_table)

    attachment_id = UnicodeAttribute()
    ticket_id = UnicodeAttribute()
    filename = UnicodeAttribute()
    size = NumberAttribute()  # as declared; the real size is checked on completion
    role = UnicodeAttribute()
    created_at = UnicodeAttribute()


@dataclass(frozen=True)
class StartedUpload:
    attachment_id: str
    upload: blobs.Upload


def _bucket() -> str:
    return get_settings().attachments_bucket


def new_id() -> str:
    """32 hex characters that sort by creation time (milliseconds, then 80 random bits)."""
    return f"{time.time_ns() // 1_000_000:012x}{os.urandom(10).hex()}"


def listed(ticket_id: str, *, include_internal: bool) -> list[StoredAttachment]:
    found = StoredAttachment.query(files_pk(ticket_id), StoredAttachment.sk.startswith(FILE_PREFIX))
    return [a for a in found if include_internal or a.visibility != INTERNAL]


def for_email(items: list[StoredAttachment]) -> list[dict[str, str]]:
    """Names and sizes for a notification (the files themselves stay on the ticket page)."""
    return [{"filename": a.filename, "size": attachments.size_text(int(a.size))} for a in items]


def claim_for(ticket_id: str, role: str, entry_id: str) -> list[StoredAttachment]:
    """The public files a message brings the other side: those mailed with it, and those its author attached
    on the ticket page that nothing has announced yet, which become this message's (conditionally, so a
    redelivered message names the same files and another message never names them again)."""
    return _claim(ticket_id, role, StoredAttachment.message_id, entry_id)


def announce(ticket_id: str, role: str, announcement: str) -> list[StoredAttachment]:
    """The public files `role` attached on the ticket page that nothing announced yet, claimed for the
    announcement (a file notice or an assignment email) without tying them to a message; with those it claimed
    before, so a retry names the same files."""
    return _claim(ticket_id, role, StoredAttachment.announced_by, announcement)


def _claim(ticket_id: str, role: str, attribute: UnicodeAttribute, claim: str) -> list[StoredAttachment]:
    unannounced = StoredAttachment.message_id.does_not_exist() & StoredAttachment.announced_by.does_not_exist()
    claimed = []
    for item in listed(ticket_id, include_internal=False):
        if item.message_id is None and item.announced_by is None and item.source == "web" and item.role == role:
            try:
                item.update(actions=[attribute.set(claim)], condition=unannounced)
            except UpdateError as exc:
                if exc.cause_response_code != "ConditionalCheckFailedException":
                    raise
                continue  # something else announced it first
        if getattr(item, attribute.attr_name) == claim:
            claimed.append(item)
    return claimed


def _count(ticket_id: str) -> int:
    return len(listed(ticket_id, include_internal=True))


def link(attachment: StoredAttachment, seconds: int = blobs.LINK_SECONDS) -> str:
    return blobs.download_url(
        _bucket(), attachment.object_key, content_type=attachment.content_type,
        disposition=attachments.content_disposition(attachment.filename), seconds=seconds,
    )


def _record(ticket_id: str, attachment_id: str, filename: str, content_type: str, size: int, role: str,
            source: str) -> StoredAttachment:
    return StoredAttachment(
        pk=files_pk(ticket_id), sk=file_sk(attachment_id), attachment_id=attachment_id, ticket_id=ticket_id,
        filename=attachments.safe_filename(filename, content_type), content_type=content_type, size=size,
        object_key=file_object_key(ticket_id, attachment_id), role=role, source=source,
        created_at=iso_precise(utcnow()),
    )


def store(ticket_id: str, role: str, filename: str | None, body: bytes) -> StoredAttachment:
    """A file sent whole: checked, stored, recorded."""
    attachments.check_size(len(body))
    content_type = attachments.sniff(body[: attachments.SNIFF_BYTES], filename or "")
    attachments.check_count(_count(ticket_id))
    record = _record(ticket_id, new_id(), filename or "", content_type, len(body), role, "web")
    blobs.put(_bucket(), record.object_key, body, content_type)
    file_notices.arm(ticket_id, role, utcnow())
    record.save()
    return record


def start_upload(ticket_id: str, role: str, filename: str, size: int) -> StartedUpload:
    """A presigned POST for one file of about `size` bytes (S3 refuses more than the limit)."""
    attachments.check_size(size)
    attachments.check_count(_count(ticket_id))
    now = utcnow()
    attachments.check_pending(_forget_abandoned(ticket_id, iso_precise(now - ABANDONED_AFTER)))
    attachment_id = new_id()
    PendingUpload(
        pk=files_pk(ticket_id), sk=pending_sk(attachment_id), attachment_id=attachment_id, ticket_id=ticket_id,
        filename=filename, size=size, role=role, created_at=iso_precise(now),
    ).save()
    upload = blobs.upload(_bucket(), pending_object_key(attachment_id), max_bytes=attachments.MAX_BYTES)
    return StartedUpload(attachment_id, upload)


def _forget_abandoned(ticket_id: str, before: str) -> int:
    """Delete the ticket's uploads started before `before` (the bucket's lifecycle removes their files);
    returns how many younger ones are still open."""
    still_open = 0
    for item in PendingUpload.query(files_pk(ticket_id), PendingUpload.sk.startswith(PENDING_PREFIX)):
        if item.created_at < before:
            item.delete()
        else:
            still_open += 1
    return still_open


def complete(ticket_id: str, attachment_id: str) -> StoredAttachment:
    """Check the uploaded file and keep it, or delete it and refuse (422/413). Completing twice is one file."""
    try:
        pending = PendingUpload.get(files_pk(ticket_id), pending_sk(attachment_id), consistent_read=True)
    except DoesNotExist:
        return _completed(ticket_id, attachment_id)
    source, target = pending_object_key(attachment_id), file_object_key(ticket_id, attachment_id)
    found = blobs.head(_bucket(), source)
    key = source
    if found is None:  # a retry after the move: the file is already in place
        found, key = blobs.head(_bucket(), target), target
    if found is None:
        raise attachments.Refused("Upload the file before completing it.", field="file")
    try:
        attachments.check_size(found.size)
        content_type = attachments.sniff(blobs.first_bytes(_bucket(), key, attachments.SNIFF_BYTES), pending.filename)
        attachments.check_count(_count(ticket_id))
    except PennydeskError:  # refused (422) or too large (413): the file goes, the reason is the answer
        _forget(pending, key)
        raise
    if key == source:
        blobs.move(_bucket(), source, target, content_type)
    record = _record(ticket_id, attachment_id, pending.filename, content_type, found.size, pending.role, "web")
    file_notices.arm(ticket_id, pending.role, utcnow())
    try:
        with transaction() as write:
            write.delete(pending, condition=PendingUpload.sk.exists())
            write.save(record, condition=StoredAttachment.sk.does_not_exist())
    except TransactWriteError:
        return _completed(ticket_id, attachment_id)  # a concurrent completion recorded it first
    return record


def _completed(ticket_id: str, attachment_id: str) -> StoredAttachment:
    try:
        return StoredAttachment.get(files_pk(ticket_id), file_sk(attachment_id), consistent_read=True)
    except DoesNotExist:
        raise NotFound("There is no such upload on this ticket.") from None


def _forget(pending: PendingUpload, key: str) -> None:
    blobs.delete(_bucket(), key)
    pending.delete()


# ---------------------------------------------------------------------------------------------- from email
@dataclass(frozen=True)
class MailedFile:
    filename: str | None
    body: bytes


def stage_files(ticket_id: str, role: str, files: list[MailedFile]) -> tuple[list[StoredAttachment], list[str]]:
    """Check each file and write the blobs of those taken; returns them and why each other one was left out
    (for the log). Nothing is recorded yet: `record` does that once the message is added, `discard` undoes
    this if the message is refused."""
    staged: list[StoredAttachment] = []
    left_out: list[str] = []
    room = max(0, attachments.MAX_PER_TICKET - _count(ticket_id))
    for mailed in files:
        try:
            if len(staged) >= room:
                raise attachments.Refused(f"the ticket holds at most {attachments.MAX_PER_TICKET} attachments")
            attachments.check_size(len(mailed.body))
            content_type = attachments.sniff(mailed.body[: attachments.SNIFF_BYTES], mailed.filename or "")
        except PennydeskError as refused:
            left_out.append(refused.message)
            continue
        item = _record(ticket_id, new_id(), mailed.filename or "", content_type, len(mailed.body), role, "email")
        blobs.put(_bucket(), item.object_key, mailed.body, content_type)
        staged.append(item)
    return staged, left_out


def recorded_with(staged: list[StoredAttachment], *, internal: bool = False) -> workflow.AlsoStage:
    """Their records written in the message's own transaction, each naming the message (or note) it made."""

    def also(write: TransactWrite, made: list[TicketEntry]) -> None:
        said = next((e for e in made if e.kind in (EntryKind.MESSAGE, EntryKind.NOTE)), None)
        for item in staged:
            item.message_id = said.entry_id if said else None
            item.visibility = INTERNAL if internal else PUBLIC
            write.save(item, condition=StoredAttachment.sk.does_not_exist())

    return also


def discard(staged: list[StoredAttachment]) -> None:
    for item in staged:
        blobs.delete(_bucket(), item.object_key)
