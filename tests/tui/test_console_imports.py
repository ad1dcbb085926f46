"""The console never loads the server or the SSH gate: the CLI's own path builds the app over a
real store file in a fresh interpreter, which runs to its first frame; then `sys.modules` is
checked (import-linter checks the static graph, this checks what really gets imported)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SERVER_SIDE = ("fastapi", "starlette", "uvicorn", "asyncssh", "aiohttp", "textual_serve")

SCRIPT = """
import asyncio, json, sys
from warroom.cli.context import Context
from warroom.demo import seed
from warroom.tui.launch import make_app

ctx = Context(sys.argv[1], "dana", None)
seed(ctx.service(), ctx.service().clock())
app = make_app(ctx.service(), user="dana", bell=False)

async def first_frame() -> None:
    async with app.run_test(size=(120, 40)):
        await asyncio.wait_for(app.loaded.wait(), 30)

asyncio.run(first_frame())
print(json.dumps(sorted(sys.modules)))
"""


def test_console_loads_no_server_modules(tmp_path: Path) -> None:
    env = {**os.environ, "TEXTUAL_ANIMATIONS": "none"}
    out = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path / "store.db")],
                         env=env, capture_output=True, text=True, timeout=120, check=True)
    loaded = json.loads(out.stdout.splitlines()[-1])
    assert "warroom.tui.app" in loaded and "textual" in loaded  # it did build the console
    assert [m for m in loaded if m.split(".")[0] in SERVER_SIDE] == []
