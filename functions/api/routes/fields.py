"""Field types several routes' wire models share. Money is a decimal string in the user's currency, never a
float."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, Field

# Deliberately simple: one @, no spaces, a dot in the domain. Deliverability is SES's job.
EMAIL_PATTERN = re.compile(r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[^@\s<>\"',;.]{2,}$")


def _email(value: str) -> str:
    if not EMAIL_PATTERN.match(value):
        raise ValueError("Enter an email address like name@example.com.")
    return value.lower()


Email = Annotated[str, Field(max_length=254), AfterValidator(_email)]
Money = Annotated[str, Field(max_length=32, examples=["12.34"], description="A decimal string in your currency")]
