"""Who writes the help center: admins always; active agents too while an admin allows it (one setting,
off by default). The setting lives here; whether a session is an admin or an active agent is the help desk's
to say (helpdesk/staff.py), so the route asks both."""

from __future__ import annotations

from pynamodb.exceptions import DoesNotExist

from pennydesk.helpcenter.records import SETTINGS_PK, SETTINGS_SK, HelpSettings, help_settings
from pennydesk.platform.clock import iso_precise, utcnow


def agents_may_write() -> bool:
    """Read on every request (one consistent GetItem), so turning it off stops agents at once."""
    try:
        return bool(HelpSettings.get(SETTINGS_PK, SETTINGS_SK, consistent_read=True).agents_may_write)
    except DoesNotExist:
        return False


def allow_agents(allowed: bool, admin: str) -> bool:
    """Set it (the same answer again writes the same item: safe to retry); returns what is now in force."""
    item = help_settings()
    item.agents_may_write = allowed
    item.changed_by = admin
    item.changed_at = iso_precise(utcnow())
    item.save()
    return allowed
