"""Render one template per message into a subject, a plain-text part and an autoescaped HTML part.

Each message is a single file with three blocks (``subject``, ``text``, ``html``). The environment
autoescapes everything; the subject and text blocks switch it off because they are not HTML.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import Markup  # jinja2's own escaping, a small module; jinja2 itself loads on first render

if TYPE_CHECKING:
    from jinja2 import Environment

TEMPLATES = Path(__file__).parent / "templates"


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


# A web address someone typed: with a scheme, starting www., or a dotted host followed by a path.
_ADDRESS = re.compile(r"(?i)\b(?:[a-z][a-z0-9+.-]*://\S+|www\.\S+|[a-z0-9-]+(?:\.[a-z0-9-]+)+/\S*)")


def defang(value: object) -> str:
    """Text a stranger chose (a form's name or subject) with every web address made unclickable:
    ``https://evil.example/login`` reads ``https[:]//evil[.]example/login`` and no mail client links it."""
    return _ADDRESS.sub(lambda m: m.group(0).replace("://", "[:]//").replace(".", "[.]"), str(value))


def bdi(value: object) -> Markup:
    """Text a person typed, isolated in HTML (<bdi dir="auto">, escaped) so that a bidirectional character in it
    can't reorder what stands around it, as on the pages."""
    return Markup('<bdi dir="auto">{}</bdi>').format(value)


@cache
def _environment() -> Environment:
    """Built with the first email this container renders: importing jinja2 is most of its cost, and a
    request that renders no email (the ticket form, a link page) imports the renderer through its domain."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    environment = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["defang"] = defang
    environment.filters["bdi"] = bdi
    return environment


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
