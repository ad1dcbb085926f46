"""Legible on a projector: every packaged theme, rendered, meets WCAG AA contrast.

The console is rendered for real (demo escalation, frozen clock) and each on-screen segment's
foreground and background colours are measured: text needs 4.5:1, the big countdown digits and
other line-drawing graphics (the wallboard's block digits too) 3:1. Partial blocks (scrollbar
thumbs) are decoration and are not measured.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from rich.segment import Segment

from tests.conftest import FrozenClock
from tests.tui.conftest import NOW, ready, screen_lines, until
from warroom.demo import IC, SPOC
from warroom.domain import commands as c
from warroom.domain.models import Severity
from warroom.service import WarRoom
from warroom.tui.app import WarRoomApp
from warroom.tui.launch import make_app
from warroom.tui.widgets.card import EscalationCard

THEMES = ["warroom-dark", "warroom-light", "warroom-high-contrast", "warroom-colour-blind"]
TEXT, GRAPHIC = 4.5, 3.0


def luminance(rgb: tuple[int, int, int]) -> float:
    """WCAG relative luminance."""

    def channel(value: int) -> float:
        v = value / 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = rgb
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    """WCAG contrast ratio (1 to 21)."""
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def is_graphic(char: str) -> bool:
    # box drawing (borders, the big digits) and full blocks (the wallboard's large digits)
    return 0x2500 <= ord(char) <= 0x257F or char == "█"


def is_decoration(char: str) -> bool:
    return 0x2580 <= ord(char) <= 0x259F and char != "█"  # partial blocks: scrollbar thumbs


def problems(app: WarRoomApp) -> list[str]:
    """Every drawn character below its contrast threshold, as `ratio row 'text'`."""
    found: set[str] = set()
    for y, strip in enumerate(app.screen._compositor.render_strips()):
        for segment in strip:
            assert isinstance(segment, Segment)
            style = segment.style
            if style is None or style.color is None or style.bgcolor is None:
                continue
            fg, bg = style.color.get_truecolor(), style.bgcolor.get_truecolor()
            if style.reverse:
                fg, bg = bg, fg
            ratio = contrast(tuple(fg), tuple(bg))  # type: ignore[arg-type]
            for char in set(segment.text):
                if char.isspace() or is_decoration(char):
                    continue
                need = GRAPHIC if is_graphic(char) else TEXT
                if ratio < need:
                    found.add(f"{ratio:.2f} < {need} row {y}: {segment.text.strip()[:30]!r} "
                              f"({fg.hex} on {bg.hex})")
    return sorted(found)


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize(("size", "later"), [((160, 48), 0), ((80, 24), 0), ((160, 48), 20)])
async def test_every_theme_meets_wcag_aa(theme: str, size: tuple[int, int], later: int,
                                         demo_app: Callable[..., WarRoomApp]) -> None:
    """At NOW the resolve clock is at risk; 20 minutes later the next update is overdue too."""
    app = demo_app(theme=theme, clock=FrozenClock(NOW + timedelta(minutes=later)))
    async with app.run_test(size=size) as pilot:
        await ready(pilot)
        assert app.theme == theme
        assert problems(app) == []


def title_ratios(app: WarRoomApp) -> dict[str, float]:
    """Each wallboard card title (`ESC-n · customer` in its border) and its contrast."""
    ratios: dict[str, float] = {}
    for strip in app.screen._compositor.render_strips():
        for segment in strip:
            style = segment.style
            title = segment.text.strip().startswith("ESC-")
            if title and style is not None and style.color and style.bgcolor:
                fg, bg = style.color.get_truecolor(), style.bgcolor.get_truecolor()
                ratios[segment.text.strip()] = contrast(tuple(fg), tuple(bg))  # type: ignore[arg-type]
    return ratios


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize(("size", "later", "more"), [
    ((160, 48), 0, 0),   # one card: framed sections, large digits
    ((177, 38), 0, 3),   # four cards: at risk and ok borders
    ((80, 24), 60, 1),   # two dense cards, one breached an hour on
    ((80, 24), 0, 3),    # four cards of four-line summaries
])
async def test_wallboard_meets_wcag_aa(theme: str, size: tuple[int, int], later: int, more: int,
                                       demo_path: Path,
                                       open_service: Callable[..., WarRoom]) -> None:
    clock = FrozenClock(NOW + timedelta(minutes=later))
    service = open_service(demo_path, clock)
    for n in range(more):
        service.execute(c.Open(title=f"Exports delayed {n}", customer=f"Contoso {n}",
                               severity=Severity.P1), SPOC)
    app = make_app(service, user=IC, clock=clock, bell=False, wall=True, theme=theme)
    async with app.run_test(size=size) as pilot:
        await ready(pilot)
        await until(pilot, lambda: len(app.screen.query(EscalationCard)) == 1 + more)
        await pilot.pause()
        assert problems(app) == []
        titles = title_ratios(app)
        if more == 0:  # the large digits were there to be measured
            assert any("█" in line for line in screen_lines(app))
    assert {t.split(" · ")[0] for t in titles} == {f"ESC-{n + 1}" for n in range(1 + more)}
    assert min(titles.values()) >= TEXT, titles


def test_the_measure_is_wcag() -> None:
    assert contrast((0, 0, 0), (255, 255, 255)) == pytest.approx(21.0)
    assert contrast((255, 255, 255), (247, 247, 245)) == pytest.approx(1.07, abs=0.01)
