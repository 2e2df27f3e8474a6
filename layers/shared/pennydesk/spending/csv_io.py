"""Temporary: the names the transfer route still reads from here, until it imports csv_reading,
csv_cells, csv_import and csv_export directly (then this module goes)."""

from __future__ import annotations

from pennydesk.spending.csv_cells import DecimalMark, NotUtf8, decode, decode_any
from pennydesk.spending.csv_export import export_csv
from pennydesk.spending.csv_import import import_csv
from pennydesk.spending.csv_reading import Delimiter, Options, Sign

__all__ = ["DecimalMark", "Delimiter", "NotUtf8", "Options", "Sign", "decode", "decode_any", "export_csv", "import_csv"]
