"""When mail to a customer bounces or is reported as spam: the address is marked (one item per address, in the
tickets table) and each of the customer's open tickets gets an event in its history ("Mail to kim@… bounced:
mailbox does not exist"), so the agent knows the customer never got the reply and can reach them another way.

| pk                     | sk                   | item                                                     |
|------------------------|----------------------|----------------------------------------------------------|
| ADDRESS#<address>      | MAIL_STATUS          | the address's latest bounce or complaint                 |
| TICKET#<id>            | MAILPROBLEM#<key>    | this problem was told on this ticket (the event's guard) |

Redelivery is normal (EventBridge delivers at least once; the function's retries): the status item keeps the
newest problem, and an event is written with its guard in one transaction, so each problem is told once per
ticket. SES itself stops sending to an address that hard-bounced or complained (the account's suppression
list, and the configuration set's SuppressionOptions), so nothing here stops mail: it is for people.
"""

from __future__ import annotations

from dataclasses import dataclass

from pynamodb.attributes import BooleanAttribute, UnicodeAttribute
from pynamodb.exceptions import DoesNotExist, PutError, TransactWriteError

from pennydesk.helpdesk.decisions import SYSTEM
from pennydesk.helpdesk.ticket_records import Ticket, TicketEntry, customer_key, entry_sk, ticket_pk
from pennydesk.helpdesk.vocabulary import OPEN_STATUSES, EntryKind
from pennydesk.platform.dynamo import KeyedModel, cancellation_codes, table_meta, transaction
from pennydesk.platform.email.delivery_events import DeliveryProblem, Recipient
from pennydesk.platform.settings import get_settings

STATUS_SK = "MAIL_STATUS"
GUARD_PREFIX = "MAILPROBLEM#"
EVENT_POSITION = 95  # after the current change's own entries and the desk's (history.DESK_POSITION)
ACTION = "mail_problem"
OPEN_TICKETS_READ = 50  # the customer's newest tickets looked at: their open ones get the event


def address_pk(address: str) -> str:
    return f"ADDRESS#{customer_key(address)}"


class MailStatus(KeyedModel):
    Meta = table_meta(get_settings().tickets_table)

    address = UnicodeAttribute()
    kind = UnicodeAttribute()  # bounced | complained
    permanent = BooleanAttribute()
    type = UnicodeAttribute()  # Permanent | Transient | Undetermined, or the complaint's feedback type
    reason = UnicodeAttribute()
    at = UnicodeAttribute()  # when SES learnt of it
    feedback_id = UnicodeAttribute()


class ProblemGuard(KeyedModel):
    Meta = table_meta(get_settings().tickets_table)

    at = UnicodeAttribute()


@dataclass(frozen=True)
class AddressStatus:
    """What the agent sees of the customer's address."""

    kind: str
    permanent: bool
    type: str
    reason: str
    at: str


def sentence(kind: str, address: str, reason: str, permanent: bool) -> str:
    """The history's line, e.g. "Mail to kim@example.com bounced: mailbox does not exist"."""
    if kind == "complained":
        return f"{address} marked our email as spam; the desk's mail to them is no longer delivered"
    return f"Mail to {address} bounced: {reason}" + ("" if permanent else " (temporary: later mail may arrive)")


def record(problem: DeliveryProblem) -> int:
    """Mark each address and tell its open tickets; how many events were written (0 on a redelivery)."""
    return sum(_record_one(problem, recipient) for recipient in problem.recipients)


def _record_one(problem: DeliveryProblem, recipient: Recipient) -> int:
    _keep_newest(problem, recipient)
    told = 0
    for ticket in Ticket.by_customer.query(customer_key(recipient.address), scan_index_forward=False,
                                           limit=OPEN_TICKETS_READ):
        if ticket.status in OPEN_STATUSES and _tell(ticket, problem, recipient):
            told += 1
    return told


def _keep_newest(problem: DeliveryProblem, recipient: Recipient) -> None:
    """The address's status, unless a newer problem is stored already (events may come out of order)."""
    item = MailStatus(
        pk=address_pk(recipient.address), sk=STATUS_SK, address=recipient.address, kind=problem.kind,
        permanent=problem.permanent, type=problem.type, reason=recipient.reason, at=problem.at,
        feedback_id=problem.feedback_id,
    )
    try:
        item.save(condition=MailStatus.pk.does_not_exist() | (MailStatus.at <= problem.at))
    except PutError as exc:
        if exc.cause_response_code != "ConditionalCheckFailedException":
            raise


def _tell(ticket: Ticket, problem: DeliveryProblem, recipient: Recipient) -> bool:
    """One event on the ticket and its guard, in one transaction; False when the guard says it was told."""
    key = problem.key(recipient.address)
    entry_id = f"mail-{key}"
    entry = TicketEntry(
        pk=ticket_pk(ticket.ticket_id), sk=entry_sk(int(ticket.version), EVENT_POSITION, entry_id),
        entry_id=entry_id, ticket_id=ticket.ticket_id, kind=EntryKind.EVENT, actor_type=SYSTEM.kind,
        actor_id=SYSTEM.id, actor_name=SYSTEM.name, action=ACTION, from_status=ticket.status,
        to_status=ticket.status, created_at=problem.at,
        detail=sentence(problem.kind, recipient.address, recipient.reason, problem.permanent),
    )
    guard = ProblemGuard(pk=ticket_pk(ticket.ticket_id), sk=f"{GUARD_PREFIX}{key}", at=problem.at)
    try:
        with transaction() as tx:
            tx.save(guard, condition=ProblemGuard.sk.does_not_exist())
            tx.save(entry, condition=TicketEntry.sk.does_not_exist())
    except TransactWriteError as exc:
        if "ConditionalCheckFailed" in cancellation_codes(exc):
            return False
        raise
    return True


def status_of(address: str) -> AddressStatus | None:
    """The address's latest bounce or complaint, or None when its mail is fine as far as SES told us."""
    try:
        item = MailStatus.get(address_pk(address), STATUS_SK)
    except DoesNotExist:
        return None
    return AddressStatus(item.kind, bool(item.permanent), item.type, item.reason, item.at)
