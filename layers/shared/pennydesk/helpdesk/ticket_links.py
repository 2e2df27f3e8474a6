"""A fresh link to a ticket's page, for a customer whose link expired: emailed only to the address the ticket
was raised from, a few an hour, and the asker is told the same whatever happened (no ticket, over the limit,
sent), so it reveals nothing and can't be used to flood an inbox."""

from __future__ import annotations

import uuid

from aws_lambda_powertools import Logger
from pynamodb.exceptions import DoesNotExist

from pennydesk.helpdesk.ticket_records import Ticket
from pennydesk.identity import links
from pennydesk.platform import ratelimit
from pennydesk.platform.email.render import render
from pennydesk.platform.email.send import send

logger = Logger(child=True)

LINKS_PER_TICKET = ratelimit.Limit("ticket-link", hits=3, window_seconds=3600)
LINKS_PER_CLIENT = ratelimit.Limit("ticket-link-ip", hits=20, window_seconds=900, key=ratelimit.client_key)


def send_fresh_link(ticket_id: str, source_ip: str) -> None:
    """Email the ticket's customer a new link to its page, within the limits; quietly nothing otherwise."""
    allowed, _ = ratelimit.hit(LINKS_PER_CLIENT, source_ip)
    if not allowed:
        logger.info("fresh ticket link: client over its limit")
        return
    try:
        ticket = Ticket.get_by_id(ticket_id)
    except DoesNotExist:
        return
    allowed, _ = ratelimit.hit(LINKS_PER_TICKET, ticket_id)
    if not allowed:
        logger.info("fresh ticket link: ticket over its limit", extra={"ticket": ticket_id})
        return
    email = render("ticket_link", ticket=ticket, status_url=links.customer_ticket_url(ticket_id))
    send(f"ticket-link/{ticket_id}/{uuid.uuid4().hex}", [ticket.customer_email], email)
