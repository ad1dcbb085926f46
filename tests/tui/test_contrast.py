"""Legible on a projector: every packaged theme, rendered, meets WCAG AA contrast.

The console is rendered for real (demo escalation, frozen clock) and each on-screen segment's
foreground and background colours are measured: text needs 4.5:1, the big countdown digits and
other line-drawing graphics 3:1. Scrollbar blocks are decoration and are not measured.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from rich.segment import Segment

from tests.conftest import FrozenClock
from tests.tui.conftest import NOW, ready
from warroom.tui.app import WarRoomApp

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
    return 0x2500 <= ord(char) <= 0x257F  # box drawing: borders and the big digits


def is_decoration(char: str) -> bool:
    return 0x2580 <= ord(char) <= 0x259F  # block elements: scrollbar thumbs


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


@pytest.mark.parametrize("theme", THEMES)
async def test_wallboard_meets_wcag_aa(theme: str,
                                       demo_app: Callable[..., WarRoomApp]) -> None:
    app = demo_app(theme=theme, wall=True)
    async with app.run_test(size=(160, 48)) as pilot:
        await ready(pilot)
        assert problems(app) == []


def test_the_measure_is_wcag() -> None:
    assert contrast((0, 0, 0), (255, 255, 255)) == pytest.approx(21.0)
    assert contrast((255, 255, 255), (247, 247, 245)) == pytest.approx(1.07, abs=0.01)
