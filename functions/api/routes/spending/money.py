"""Money on the wire: a decimal string in the user's currency, never a float."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

Money = Annotated[str, Field(max_length=32, examples=["12.34"], description="A decimal string in your currency")]
