"""Markdown pieces the PIR, the customer RCA and the trend report write alike."""

from __future__ import annotations

from datetime import datetime
from typing import Any

UNWRITTEN = "_To be completed._"
"""What a document shows for a section nobody has written yet."""


def cell(text: Any) -> str:
    """`text` fit for one table cell: pipes escaped, on one line."""
    return str(text).replace("|", "\\|").replace("\n", " ").strip()


def para(text: str) -> str:
    """A written paragraph, or `UNWRITTEN`."""
    return text.strip() if text and text.strip() else UNWRITTEN


def utc_minute(iso: str | None) -> str:
    """`2026-11-24 10:00 UTC` for an ISO time; `—` for none."""
    if not iso:
        return "—"
    return datetime.fromisoformat(iso).strftime("%Y-%m-%d %H:%M UTC")
