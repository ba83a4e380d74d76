"""Reading a spreadsheet someone saved as CSV, under one name for the modules
that use several of its steps (``from . import values as iv``). Each step has
its own module: headers.py (which of our fields a header means), decoding.py
(bytes to rows) and cells.py (cells to values). Nothing here touches the
database."""

from __future__ import annotations

from .cells import (
    add_months,
    as_code,
    date_order_evidence,
    location_cell,
    location_path,
    parse_cost,
    parse_date,
    parse_status,
    warranty_months,
)
from .decoding import DELIMITERS, Decoded, Table, decode, read_table, read_text, sniff_delimiter
from .headers import (
    DATE_FIELDS,
    FIELDS,
    custom_field_header,
    guess_field,
    guess_rank,
    header_key,
    is_homebox,
    readable_header,
)

__all__ = [
    "DATE_FIELDS",
    "DELIMITERS",
    "FIELDS",
    "Decoded",
    "Table",
    "add_months",
    "as_code",
    "custom_field_header",
    "date_order_evidence",
    "decode",
    "guess_field",
    "guess_rank",
    "header_key",
    "is_homebox",
    "location_cell",
    "location_path",
    "parse_cost",
    "parse_date",
    "parse_status",
    "read_table",
    "read_text",
    "readable_header",
    "sniff_delimiter",
    "warranty_months",
]
