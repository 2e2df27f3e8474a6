"""Field types several routes' wire models share. Money is a decimal string in the user's currency, never a
float."""

from __future__ import annotations

from typing import Annotated

from pennydesk.platform.addresses import mailbox
from pydantic import AfterValidator, Field

# One mailbox by RFC 5322's grammar (deliverability is SES's job), lower-cased; see platform.addresses.
Email = Annotated[str, Field(max_length=254), AfterValidator(mailbox)]
Money = Annotated[str, Field(max_length=32, examples=["12.34"], description="A decimal string in your currency")]
