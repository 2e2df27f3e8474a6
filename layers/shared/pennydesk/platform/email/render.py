"""Render one template per message into a subject, a plain-text part and an autoescaped HTML part.

Each message is a single file with three blocks (``subject``, ``text``, ``html``). The environment
autoescapes everything; the subject and text blocks switch it off because they are not HTML.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

TEMPLATES = Path(__file__).parent / "templates"


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


@cache
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def one_line(value: str) -> str:
    """Collapse every run of whitespace (newlines included) to one space: subjects are one header."""
    return re.sub(r"\s+", " ", value).strip()


def render(message: str, **context: Any) -> RenderedEmail:
    template = _environment().get_template(f"{message}.j2")
    ctx = template.new_context(context)

    def block(name: str) -> str:
        return "".join(template.blocks[name](ctx))

    return RenderedEmail(
        subject=one_line(block("subject"))[:200],
        text=block("text").strip() + "\n",
        html=block("html").strip() + "\n",
    )
