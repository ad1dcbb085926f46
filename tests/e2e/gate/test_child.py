"""Inside a remote session, Textual cannot open links or write files on the server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

SCRIPT = r"""
import asyncio, json, os, sys
from warroom.gate.guard import guard_textual, is_remote
if is_remote():
    guard_textual()
from textual.app import App


class Probe(App):
    pass


async def main():
    app = Probe()
    async with app.run_test() as pilot:
        app.open_url("https://example.com/runbook")
        key = app.deliver_screenshot(path=sys.argv[1])
        await pilot.pause()
        print(json.dumps({
            "key": key,
            "titles": [c.title for c in app.get_system_commands(app.screen)],
            "notes": [n.message for n in app._notifications],
            "files": os.listdir(sys.argv[1]),
        }))

asyncio.run(main())
"""


def probe(tmp_path: Path, remote: bool) -> dict[str, Any]:
    env = dict(os.environ, BROWSER="false")
    env.pop("WARROOM_REMOTE_SESSION", None)
    if remote:
        env["WARROOM_REMOTE_SESSION"] = "1"
    out = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path)], env=env, check=True,
                         capture_output=True, text=True, timeout=60).stdout
    return dict(json.loads(out.strip().splitlines()[-1]))


def test_remote_sessions_refuse_links_and_files(tmp_path: Path) -> None:
    result = probe(tmp_path, remote=True)
    assert result["key"] is None and result["files"] == []
    assert "Screenshot" not in result["titles"] and "Quit" in result["titles"]
    notes = "\n".join(result["notes"])
    assert "Links can't be opened from a remote session: https://example.com/runbook" in notes
    assert "Files can't be saved on the server" in notes


def test_local_sessions_are_untouched(tmp_path: Path) -> None:
    result = probe(tmp_path, remote=False)
    assert "Screenshot" in result["titles"]
    assert result["key"] is not None and len(result["files"]) == 1


GUARDED = """
import sys
from textual.app import App
from warroom.cli import run
status = run(["config", "path"])
print(status, App.open_url.__module__)
"""


@pytest.mark.parametrize(("remote", "patched_by"), [(True, "warroom.gate.guard"),
                                                    (False, "textual.app")])
def test_the_command_line_guards_textual_in_remote_sessions(
        remote: bool, patched_by: str) -> None:
    """The gates run `python -m warroom`: the ordinary command line, guarded when remote."""
    env = dict(os.environ)
    env.pop("WARROOM_REMOTE_SESSION", None)
    if remote:
        env["WARROOM_REMOTE_SESSION"] = "1"
    out = subprocess.run([sys.executable, "-c", GUARDED], env=env, capture_output=True,
                         text=True, timeout=60, check=True)
    assert out.stdout.splitlines()[-1] == f"0 {patched_by}"
