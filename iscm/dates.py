"""Timestamps as people read them: "2 Dec 2026, 14:05 UTC" instead of "2026-12-02T14:05:00+00:00".

The store and the audit log keep ISO 8601 (exact, sortable, what a CSV should hold); pages show this form.
Pure: no Streamlit.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def readable_utc(value: Any) -> str:
    """An ISO timestamp (or datetime) as "2 Dec 2026, 14:05 UTC"; a time without a zone is taken as UTC.
    Anything that is not a timestamp comes back as it was (as text), so a damaged log line still shows."""
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        when = value
    else:
        try:
            when = dt.datetime.fromisoformat(str(value).strip())
        except ValueError:
            return str(value)
    when = when.replace(tzinfo=dt.UTC) if when.tzinfo is None else when.astimezone(dt.UTC)
    return f"{when.day} {_MONTHS[when.month - 1]} {when.year}, {when:%H:%M} UTC"
