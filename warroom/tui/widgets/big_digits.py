"""BigDigits: a countdown drawn as large as the widget's room allows (for the wallboard, where one
escalation fills a projector screen and its timers should be readable across the room)."""

from __future__ import annotations

from rich.console import RenderableType
from textual.reactive import reactive
from textual.renderables.digits import Digits as DigitsRenderable
from textual.widget import Widget

FONT: dict[str, tuple[str, ...]] = {
    "0": ("###", "#.#", "#.#", "#.#", "###"),
    "1": (".#.", "##.", ".#.", ".#.", "###"),
    "2": ("###", "..#", "###", "#..", "###"),
    "3": ("###", "..#", "###", "..#", "###"),
    "4": ("#.#", "#.#", "###", "..#", "..#"),
    "5": ("###", "#..", "###", "..#", "###"),
    "6": ("###", "#..", "###", "#.#", "###"),
    "7": ("###", "..#", "..#", "..#", "..#"),
    "8": ("###", "#.#", "###", "#.#", "###"),
    "9": ("###", "#.#", "###", "..#", "###"),
    ":": (".", "#", ".", "#", "."),
    "-": ("...", "...", "###", "...", "..."),
}
"""A 5-pixel-high bitmap font: `#` is lit."""

HEIGHT = 5


def pixels(text: str) -> list[str]:
    """The lit pixels of `text` (unknown characters are skipped), one pixel gap between
    glyphs."""
    glyphs = [FONT[ch] for ch in text if ch in FONT]
    return [".".join(glyph[row] for glyph in glyphs) for row in range(HEIGHT)]


def scale_for(text: str, width: int, height: int) -> int:
    """The largest scale (0 if none) at which `text` fits: a pixel is 2 cells wide, 1 high."""
    wide = len(pixels(text)[0]) if text else 0
    if not wide:
        return 0
    return max(0, min(height // HEIGHT, width // (2 * wide)))


def draw(text: str, scale: int) -> list[str]:
    """`text` in full blocks at `scale` (each pixel `2*scale` cells wide, `scale` high)."""
    rows = []
    for line in pixels(text):
        row = "".join(("█" if px == "#" else " ") * 2 * scale for px in line)
        rows += [row] * scale
    return rows


class BigDigits(Widget):
    """The value centred, at the largest scale that fits (three-row digits when none does)."""

    DEFAULT_CSS = "BigDigits { width: 1fr; height: 1fr; }"

    value: reactive[str] = reactive("")
    cap: reactive[int | None] = reactive(None)
    """At most this scale (timers side by side are drawn at one size)."""

    def __init__(self, value: str = "", *, classes: str | None = None) -> None:
        super().__init__(classes=classes)
        self.set_reactive(BigDigits.value, value)

    def show(self, value: str) -> None:
        """Display `value` (no-op when unchanged)."""
        self.value = value

    @property
    def fit(self) -> int:
        """The largest scale the value fits at."""
        return scale_for(self.value, self.size.width, self.size.height)

    @property
    def scale(self) -> int:
        """The scale the value is drawn at now."""
        return self.fit if self.cap is None else min(self.fit, self.cap)

    def render(self) -> RenderableType:
        scale = self.scale
        if not scale:  # too little room: the three-row digits the rest of the console uses
            return DigitsRenderable(self.value, self.rich_style)
        rows = draw(self.value, scale)
        top = (self.size.height - len(rows)) // 2
        left = " " * ((self.size.width - len(rows[0])) // 2)
        return "\n" * top + "\n".join(left + row for row in rows)
