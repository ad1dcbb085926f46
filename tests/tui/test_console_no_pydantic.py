"""pydantic stays off the console's path to its first frame once the config and themes are
cached: a fresh interpreter builds the app the way the CLI does, over a real store file, runs
it to its first frame, and reports whether pydantic was imported."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.conftest import T0, FrozenClock
from warroom import paths
from warroom.demo import seed
from warroom.service import WarRoom
from warroom.store.sqlite import SqliteStore

SCRIPT = """
import asyncio, json, sys
from warroom.cli.config_verbs import theme_dirs
from warroom.cli.context import Context
from warroom.tui.launch import make_app

ctx = Context(sys.argv[1], None, None)
app = make_app(ctx.service(), user=ctx.actor, theme=ctx.config.console.theme, bell=False,
               theme_dirs=theme_dirs())

async def first_frame() -> None:
    async with app.run_test(size=(120, 40)):
        await asyncio.wait_for(app.loaded.wait(), 30)

asyncio.run(first_frame())
print(json.dumps({"pydantic": "pydantic" in sys.modules, "theme": app.theme}))
"""


def test_a_cached_config_and_themes_keep_pydantic_off_the_first_frame(
        tmp_path: Path, policy: Any) -> None:
    store = tmp_path / "store.db"
    sqlite = SqliteStore(store)
    seed(WarRoom(sqlite, policy, FrozenClock(T0)), T0)
    sqlite.close()
    user = paths.user_config_path()
    user.parent.mkdir(parents=True)
    user.write_text('[console]\ntheme = "warroom-light"\n')

    def run() -> dict[str, object]:
        env = {**os.environ, "TEXTUAL_ANIMATIONS": "none"}
        done = subprocess.run([sys.executable, "-c", SCRIPT, str(store)], env=env,
                              capture_output=True, text=True, timeout=120, check=True)
        result: dict[str, object] = json.loads(done.stdout.splitlines()[-1])
        return result

    assert run() == {"pydantic": True, "theme": "warroom-light"}  # cold: validated
    assert run() == {"pydantic": False, "theme": "warroom-light"}  # warm: from the cache
