"""The console's way to its first frame stays off pydantic: `warroom demo` (seed and console)
and `warroom` on an existing store draw the loaded frame without importing it, and the first
command built afterwards brings it in. (The very first run validates the config files with
pydantic and caches the result by their content; every run after that reads the cache.)"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = textwrap.dedent("""
    import sys
    import warroom.tui.launch as launch

    make = launch.make_app

    def probed(*args, **kwargs):
        app = make(*args, **kwargs)
        run = app.run

        async def probe(pilot):
            await app.loaded.wait()
            print("FRAME", "pydantic" in sys.modules, flush=True)
            await pilot.press("n")  # a note: the form builds a command model
            await pilot.pause()
            print("ACTION", "pydantic" in sys.modules, flush=True)
            app.exit()

        app.run = lambda *a, **k: run(headless=True, size=(160, 48), auto_pilot=probe)
        return app

    launch.make_app = probed
    from warroom.cli import main
    main(sys.argv[1:])
""")


def first_frame(tmp_path: Path, *args: str) -> list[str]:
    env = dict(os.environ, XDG_CONFIG_HOME=str(tmp_path / "config"),
               XDG_DATA_HOME=str(tmp_path / "data"), XDG_CACHE_HOME=str(tmp_path / "cache"),
               WARROOM_USER="maria.chen",
               TEXTUAL_ANIMATIONS="none")
    env.pop("WARROOM_STORE", None)
    env.pop("WARROOM_CONFIG", None)
    proc = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=120)
    lines = [line for line in proc.stdout.splitlines() if line.startswith(("FRAME", "ACTION"))]
    assert len(lines) == 2, proc.stdout + proc.stderr
    return lines


def test_demo_draws_its_first_frame_without_pydantic(tmp_path: Path) -> None:
    first_frame(tmp_path, "demo")  # caches the validated config
    assert first_frame(tmp_path, "demo") == ["FRAME False", "ACTION True"]


def test_console_on_a_store_draws_its_first_frame_without_pydantic(tmp_path: Path) -> None:
    store = tmp_path / "store.db"
    first_frame(tmp_path, "--store", str(store), "demo")
    assert first_frame(tmp_path, "--store", str(store)) == ["FRAME False", "ACTION True"]
