"""One-click unsubscribe (RFC 8058) from digests and budget alerts, without signing in.

Each digest or alert carries `List-Unsubscribe: <https://<site>/api/unsubscribe?token=…>` and
`List-Unsubscribe-Post: List-Unsubscribe=One-Click`; the mailbox provider (Gmail, Yahoo, Apple Mail) POSTs to
that URL exactly as given, so this one token travels in a query string. It is its own purpose ("unsubscribe":
it never verifies as a sign-in, session or ticket token) and names one address and one kind of mail, so all it
can ever do is turn that kind of mail off for that address. It lives long: an unsubscribe link must keep
working for months. A GET only describes what a POST would do (mail scanners open links).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from pennydesk.identity import tokens
from pennydesk.platform.errors import Conflict, NotFound, Unauthorized
from pennydesk.platform.settings import get_settings
from pennydesk.spending import account
from pennydesk.spending.records import Profile

PURPOSE = "unsubscribe"
# Each kind of mail, with the setting a POST writes and what the reply says it did.
KINDS: dict[str, tuple[dict[str, Any], str]] = {
    "digest": ({"digest": "off"}, "spending digests"),
    "budget_alerts": ({"budget_alerts": False}, "budget alerts"),
}
ONE_CLICK = "List-Unsubscribe=One-Click"
SETTINGS_PATH = "/spending/settings.html"
ATTEMPTS = 3  # a settings change in another tab at the same moment is a version conflict: read again


@dataclass(frozen=True)
class Unsubscribe:
    """What a verified token asks for: one kind of mail, to one address."""

    email: str
    kind: str

    @property
    def label(self) -> str:
        return KINDS[self.kind][1]


def issue(email: str, kind: str) -> str:
    if kind not in KINDS:
        raise ValueError(f"unknown kind of mail {kind!r}")
    return tokens.issue(PURPOSE, email.strip().lower(), kind=kind)


def api_url(token: str) -> str:
    """The URL in List-Unsubscribe, which the provider POSTs to as given."""
    return f"{get_settings().site_url}/api/unsubscribe?token={quote(token, safe='')}"


def page_url(token: str) -> str:
    """The body's visible link: a page with a button that POSTs (its token in the fragment, like every link)."""
    return f"{get_settings().site_url}/unsubscribe.html#token={quote(token, safe='')}"


def mail_fields(email: str, kind: str) -> dict[str, str]:
    """For the email: the header's URL and the body's links (the page, and settings)."""
    token = issue(email, kind)
    site = get_settings().site_url
    return {
        "list_unsubscribe": api_url(token),
        "unsubscribe_url": page_url(token),
        "settings_url": f"{site}{SETTINGS_PATH}",
    }


def read(token: str | None) -> Unsubscribe:
    """The request a token carries; Unauthorized (401) for a forged, expired or foreign token."""
    grant = tokens.verify(PURPOSE, token)
    kind = grant.claims.get("kind")
    if kind not in KINDS or "@" not in grant.subject:
        raise Unauthorized("This link is not valid.")
    return Unsubscribe(grant.subject, str(kind))


def masked(email: str) -> str:
    """The address as a GET shows it: enough to recognise, not to harvest from a logged URL."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


def subscribed(profile: Profile, kind: str) -> bool:
    return profile.digest != "off" if kind == "digest" else account.alerts_on(profile)


def _profile(request: Unsubscribe) -> Profile:
    profile = account.find(request.email)
    if profile is None:
        raise NotFound("There is no account for this address any more; nothing will be sent to it.")
    return profile


def describe(token: str | None) -> dict[str, Any]:
    """What a POST to the same URL would do; changes nothing."""
    request = read(token)
    profile = _profile(request)
    return {
        "email": masked(request.email),
        "kind": request.kind,
        "subscribed": subscribed(profile, request.kind),
        "message": f"A POST to this address turns off {request.label} for {masked(request.email)}.",
        "settings_url": f"{get_settings().site_url}{SETTINGS_PATH}",
    }


def apply(token: str | None) -> dict[str, Any]:
    """Turn the kind of mail off; again is the same answer (providers retry, people click twice)."""
    request = read(token)
    changes = KINDS[request.kind][0]
    for attempt in range(ATTEMPTS):
        profile = _profile(request)
        try:
            account.update(profile, changes)
            break
        except Conflict:
            if attempt == ATTEMPTS - 1:
                raise
    return {
        "email": masked(request.email),
        "kind": request.kind,
        "subscribed": False,
        "message": f"Done: no more {request.label} to {masked(request.email)}. Turn them back on in settings.",
        "settings_url": f"{get_settings().site_url}{SETTINGS_PATH}",
    }
