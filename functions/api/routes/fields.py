"""Field types several routes' wire models share. Money is a decimal string in the user's currency, never a
float."""

from __future__ import annotations

from typing import Annotated

from pennydesk.platform.addresses import mailbox
from pennydesk.platform.text import has_control_characters
from pydantic import AfterValidator, Field

# One mailbox by RFC 5322's grammar (deliverability is SES's job), lower-cased; see platform.addresses.
Email = Annotated[str, Field(max_length=254), AfterValidator(mailbox)]


def _one_clean_line(value: str) -> str:
    """A name shown in mail headers and lists: no line break (a header injection), no control or bidi character."""
    if has_control_characters(value, allowed=""):
        raise ValueError("Use one line of plain text: no line breaks or control characters.")
    return value


PersonName = Annotated[str, Field(min_length=1, max_length=120), AfterValidator(_one_clean_line)]
Money = Annotated[str, Field(max_length=32, examples=["12.34"], description="A decimal string in your currency")]
