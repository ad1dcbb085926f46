"""The facilitation guide's tables never run columns together: cells wrap inside their column."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from rich.console import Console
from rich.table import Table

from tests.tui.conftest import ready, screen_lines, until
from warroom.tui.app import WarRoomApp
from warroom.tui.screens.guide import KEYS, RULES, guide_sections, span


def rendered(table: Table, width: int) -> list[str]:
    console = Console(width=width, record=True, color_system=None, legacy_windows=False)
    with console.capture() as out:
        console.print(table)
    return out.get().splitlines()


def cadence_rows(policy: Any) -> dict[str, list[str]]:
    """Severity -> the words its row must show, one word a column."""
    rows = {}
    for severity, sp in policy.severities.items():
        cells = [span(d.total_seconds()) for d in
                 (sp.triage, sp.first_update, sp.update_every, sp.resolve)]
        pir = span(sp.pir_due.total_seconds()) if sp.pir_due else "optional"
        rows[severity.value] = [severity.value, sp.label, *cells, pir, sp.calendar]
    return rows


def check_columns(lines: list[str], policy: Any) -> None:
    """Every table row keeps its cells apart (two spaces at least between columns)."""
    words = [line.split() for line in lines]
    for severity, expected in cadence_rows(policy).items():
        assert expected in words, f"cadence row {severity} run together: {lines}"
    for right, roles in policy.rights.items():
        assert any(re.match(rf"\s*{right}\s\s+{re.escape(roles[0])}", line)
                   for line in lines), f"decision right {right} run together"
    for key, does in KEYS:
        first = does.split()[0]
        assert any(re.match(rf"\s*{re.escape(key)}\s\s+{re.escape(first)}", line)
                   for line in lines), f"key {key} run together"
    for n, (rule, _) in enumerate(RULES, start=1):
        assert any(re.match(rf"\s*{n}\.\s\s+{re.escape(rule.split()[0])}", line)
                   for line in lines), f"rule {n}"


@pytest.mark.parametrize("width", range(70, 241, 2))  # the guide at 80 columns is 71 wide
def test_tables_keep_their_columns_apart_at_every_width(width: int, policy: Any) -> None:
    lines = [line for _, table in guide_sections(policy) for line in rendered(table, width)]
    assert all(len(line) <= width for line in lines)
    check_columns(lines, policy)


@pytest.mark.parametrize("width", [80, 160])
async def test_the_guide_on_screen(width: int, demo_app: Callable[..., WarRoomApp],
                                   policy: Any) -> None:
    app = demo_app()
    async with app.run_test(size=(width, 200)) as pilot:  # tall: the whole guide at once
        await ready(pilot)
        await pilot.press("question_mark")
        await until(pilot, lambda: type(app.screen).__name__ == "GuideScreen")
        await pilot.pause()
        lines = [line.strip().strip("│") for line in screen_lines(app)]
    check_columns(lines, policy)
    # a wrapped duty continues under its own text, not under the bullet
    bullet = next(line for line in lines if line.lstrip().startswith("• "))
    text_at = bullet.index("•") + 1
    text_at += len(bullet[text_at:]) - len(bullet[text_at:].lstrip())
    after = lines[lines.index(bullet) + 1]
    if width == 80:  # the first duty wraps at this width
        assert after.strip() and len(after) - len(after.lstrip()) == text_at, (bullet, after)
