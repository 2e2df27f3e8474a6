"""`make dev`'s SMTP listener on 127.0.0.1:${SMTP_PORT:-2525} (aiosmtpd): any mail client, swaks or
smtplib can reply to the local outbox's emails. A recipient the template's receipt rule doesn't take is
refused at RCPT TO, as SES refuses it; an accepted message goes where SES receiving would put it
(infra/local/inbound.py: the inbound bucket, then the inbound function with SES's event)."""

from __future__ import annotations

import traceback
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from infra.local import inbound
from infra.local.engine import LocalStack

# SES receiving takes messages up to 40 MB.
MAX_MESSAGE_BYTES = 40 * 1024 * 1024


class ReceiptHandler:
    """aiosmtpd's handler: RCPT TO checked against the receipt rule, DATA delivered like SES delivers it."""

    def __init__(self, stack: LocalStack) -> None:
        self.stack = stack

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        if not inbound.receipt_rule(self.stack).takes(address):
            return "550 5.1.1 Mailbox unavailable: this stack receives mail for its inbound domain only"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        try:
            inbound.deliver(self.stack, raw, mail_from=envelope.mail_from or "", recipients=list(envelope.rcpt_tos))
        except inbound.NotAccepted as exc:
            return f"550 5.1.1 {exc}"
        except Exception:  # the local stack failing is a 451 (try again) and a traceback, never a dropped socket
            traceback.print_exc()
            return "451 4.3.0 The local stack failed; see its console."
        return "250 2.0.0 Message accepted for delivery"


def start(stack: LocalStack, host: str, port: int) -> Any:
    """A running listener (stop it with .stop()); OSError when the port is taken."""
    controller = Controller(
        ReceiptHandler(stack), hostname=host, port=port, data_size_limit=MAX_MESSAGE_BYTES, decode_data=False
    )
    controller.start()
    return controller
