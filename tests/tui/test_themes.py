"""Themes as data: the packaged TOML themes, validation errors, and choosing a theme."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.tui.conftest import ready, until
from warroom.themes import (
    DEFAULT_THEME,
    VARIABLE_DEFAULTS,
    ThemeError,
    load_theme,
    load_themes,
    resolve_name,
    theme_dir,
)
from warroom.tui.app import WarRoomApp

PACKAGED = {"warroom-dark", "warroom-light", "warroom-high-contrast", "warroom-colour-blind"}


def test_packaged_themes_load_and_set_every_variable() -> None:
    loaded = load_themes(theme_dir())
    assert loaded.errors == []
    names = {t.name for t in loaded.themes}
    assert names == PACKAGED and DEFAULT_THEME in names
    for theme in loaded.themes:
        assert set(theme.variables) == set(VARIABLE_DEFAULTS), theme.name
    light = next(t for t in loaded.themes if t.name == "warroom-light")
    assert light.dark is False


@pytest.mark.parametrize(("text", "problem"), [
    ('name = "x"\nprimary = "not-a-colour"\n', ":2: primary: not a colour ('not-a-colour'"),
    ('name = "x"\n', ": primary: missing"),
    ('name = "x"\nprimary = "#fff"\nprimery = "#000"\n', ":3: primery: unknown key"),
    ('name = "x"\nprimary = "#fff"\n[variables]\nsla-ok = 3\n',
     ":4: variables.sla-ok: must be a valid string (got 3)"),
    ('name = "x"\nprimary = "#fff"\ntext_alpha = 2\n', ":3: text_alpha: must be at most 1"),
    ('name = "x"\nprimary = "#fff"\ndark = "no"\n', ":3: dark: must be a valid boolean"),
    ("name = \n", ": not valid TOML"),
])
def test_bad_theme_files_name_the_file_line_and_key(
        tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(ThemeError) as caught:
        load_theme(path)
    assert str(caught.value).startswith(f"{path}{problem}")
    assert "\n" not in str(caught.value)
    assert load_themes(tmp_path).errors == [str(caught.value)]


THEME_PROBE = """
import json, sys
from pathlib import Path
from warroom.themes import load_themes, theme_dir
loaded = load_themes(theme_dir(), Path(sys.argv[1]))
print(json.dumps({"pydantic": "pydantic" in sys.modules, "errors": len(loaded.errors),
                  "names": sorted(t.name for t in loaded.themes)}))
"""


def test_themes_are_cached_by_content_and_a_hit_needs_no_pydantic(tmp_path: Path) -> None:
    import json
    import os
    import subprocess
    import sys

    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "night.toml").write_text('primary = "#123456"\n')

    def probe() -> dict[str, object]:
        done = subprocess.run([sys.executable, "-c", THEME_PROBE, str(mine)], check=True,
                              capture_output=True, text=True, env=dict(os.environ), timeout=60)
        result: dict[str, object] = json.loads(done.stdout)
        return result

    cold, warm = probe(), probe()
    assert cold["pydantic"] is True and warm["pydantic"] is False
    assert cold["names"] == warm["names"] == sorted([*PACKAGED, "night"])
    (mine / "broken.toml").write_text('primary = "nope"\n')
    changed = probe()
    assert changed["pydantic"] is True and changed["errors"] == 1


def test_short_names_resolve() -> None:
    names = [*PACKAGED, "textual-dark"]
    assert resolve_name("dark", names) == "warroom-dark"
    assert resolve_name("color-blind", names) == "warroom-colour-blind"
    assert resolve_name("textual-dark", names) == "textual-dark"
    assert resolve_name("nope", names) is None


async def test_theme_from_argument_and_unknown_theme_warns(
        demo_app: Callable[..., WarRoomApp]) -> None:
    app = demo_app(theme="high-contrast")
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        assert app.theme == "warroom-high-contrast"
        assert app.theme_variables["sla-breached"] == "#ff3030"
    app = demo_app(theme="nosuch")
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        assert app.theme == DEFAULT_THEME
        assert any("unknown theme 'nosuch'" in n.message for n in app._notifications)


async def test_theme_from_palette_list(demo_app: Callable[..., WarRoomApp]) -> None:
    app = demo_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        assert set(app.available_themes) >= PACKAGED
        app.theme = "warroom-light"  # what the palette's "Change theme" does
        await pilot.pause()
        assert app.current_theme.dark is False


def first_match(app: WarRoomApp) -> str:
    """The command palette's first match ("" while it is still searching)."""
    from textual.command import CommandList

    lists = app.screen.query(CommandList)
    if not lists or lists.first().option_count == 0:
        return ""
    return str(lists.first().get_option_at_index(0).prompt)


async def test_theme_chosen_in_the_palette_is_kept_for_next_time(
        demo_app: Callable[..., WarRoomApp], tmp_path: Path) -> None:
    import tomllib

    from warroom.cli.console import theme_keeper
    from warroom.config import load_config

    target = tmp_path / "mine.toml"
    target.write_text('[console]\nuser = "maria.chen"\n')
    app = demo_app(on_theme=theme_keeper(target))
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("ctrl+p")
        await pilot.press(*"theme")
        await until(pilot, lambda: "Change the current theme" in first_match(app))
        await pilot.press("enter")
        await pilot.press(*"warroom-light")
        await until(pilot, lambda: first_match(app) == "warroom-light")
        await pilot.press("enter")
        await until(pilot, lambda: app.theme == "warroom-light")
        await until(pilot, lambda: "theme" in tomllib.loads(target.read_text())["console"])
    assert tomllib.loads(target.read_text()) == {
        "console": {"user": "maria.chen", "theme": "warroom-light"}}
    theme = load_config(target).console.theme
    assert theme == "warroom-light"
    again = demo_app(theme=theme)
    async with again.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        assert again.theme == "warroom-light" and again.current_theme.dark is False


async def test_quitting_right_after_choosing_still_keeps_the_theme(
        demo_app: Callable[..., WarRoomApp], tmp_path: Path) -> None:
    import tomllib

    from warroom.cli.console import theme_keeper

    target = tmp_path / "new" / "mine.toml"
    app = demo_app(on_theme=theme_keeper(target))
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        app.theme = "warroom-high-contrast"
        await pilot.pause()
    assert tomllib.loads(target.read_text()) == {"console": {"theme": "warroom-high-contrast"}}


async def test_a_theme_that_cannot_be_kept_says_so(
        demo_app: Callable[..., WarRoomApp], tmp_path: Path) -> None:
    from warroom.cli.console import theme_keeper

    target = tmp_path / "broken.toml"
    target.write_text("[sla]\nat_risk = 7\n")
    app = demo_app(on_theme=theme_keeper(target))
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        app.theme = "warroom-light"
        await until(pilot, lambda: any("theme not kept" in n.message
                                       for n in app._notifications))
        note = next(n.message for n in app._notifications if "theme not kept" in n.message)
        assert f"{target}: sla.at_risk:" in note
    assert target.read_text() == "[sla]\nat_risk = 7\n"
