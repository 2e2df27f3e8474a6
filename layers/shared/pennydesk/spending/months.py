"""Calendar months as "YYYY-MM" strings: the key every running total and report is filed under."""

from __future__ import annotations

import re

from pennydesk.platform.errors import PennydeskError

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$", re.ASCII)


def check_month(value: str, field: str = "month") -> str:
    if not _MONTH.match(value or "") or not "1970" <= value[:4] <= "2200":
        raise PennydeskError("Use a month like 2026-11.", field=field)
    return value


def shift_month(month: str, delta: int) -> str:
    year, mon = int(month[:4]), int(month[5:7])
    index = year * 12 + (mon - 1) + delta
    return f"{index // 12:04d}-{index % 12 + 1:02d}"
