"""The real console in a real terminal (tmux): open it on a store, post a customer update."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from warroom.demo import IC, seed
from warroom.domain.models import Audience, EventKind
from warroom.service import WarRoom
from warroom.store.sqlite import SqliteStore

TMUX = shutil.which("tmux")
ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(TMUX is None, reason="tmux is not installed: the end-to-end "
                                "terminal test needs it (apt-get install tmux)")


class Tmux:
    """One private tmux server (its own socket), so nothing else is touched."""

    def __init__(self, name: str) -> None:
        self.socket = name

    def run(self, *args: str) -> str:
        assert TMUX is not None
        done = subprocess.run([TMUX, "-L", self.socket, *args], capture_output=True, text=True,
                              check=True, timeout=10)
        return done.stdout

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", "console")

    def wait_for(self, condition: Callable[[str], bool], what: str, timeout: float = 20) -> str:
        deadline = time.monotonic() + timeout
        text = ""
        while time.monotonic() < deadline:
            text = self.screen()
            if condition(text):
                return text
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for {what}; screen was:\n{text}")


def test_post_an_update_from_the_real_console(tmp_path: Path, policy: Any) -> None:
    path = tmp_path / "demo.db"
    store = SqliteStore(path)
    seed(WarRoom(store, policy, lambda: datetime.now(UTC)), datetime.now(UTC))
    before = store.last_seq()
    tmux = Tmux(f"warroom-test-{os.getpid()}")
    command = (f"{sys.executable} -m warroom --store {path} --as {IC} console ESC-1; "
               f"sleep 5")
    env = {**os.environ, "TEXTUAL_ANIMATIONS": "none", "TERM": "xterm-256color"}
    env.pop("TMUX", None)
    subprocess.run([TMUX or "tmux", "-L", tmux.socket, "new-session", "-d", "-s", "console",
                    "-x", "120", "-y", "40", command], check=True, env=env, cwd=ROOT,
                   timeout=10)
    try:
        tmux.wait_for(lambda s: "ESC-1" in s and "● live" in s, "the console")
        tmux.run("send-keys", "-t", "console", "u")
        tmux.wait_for(lambda s: "Status update" in s and "Preview" in s, "the composer")
        tmux.wait_for(lambda s: "Hello Northwind Bank team" in s, "the preview")
        tmux.run("send-keys", "-t", "console", "C-s")
        tmux.wait_for(lambda s: "Status update ·" not in s and "Update" in s, "the post")
        deadline = time.monotonic() + 10
        posted: list[Any] = []
        while time.monotonic() < deadline and not posted:
            posted = [e for e in store.read(before) if e.kind is EventKind.UPDATE_POSTED]
            time.sleep(0.1)
        assert posted, "no update was stored"
        update = posted[0]
        assert update.actor == IC and update.payload["audience"] == Audience.CUSTOMER.value
        assert "Northwind Bank" in update.payload["body"] and update.payload["next_update_at"]
        tmux.wait_for(lambda s: "PROMISE" in s.split("Timeline")[-1], "the new entries")
        tmux.run("send-keys", "-t", "console", "q")
    finally:
        subprocess.run([TMUX or "tmux", "-L", tmux.socket, "kill-server"], capture_output=True,
                       timeout=10)
        store.close()


def test_the_80x24_demo_shows_the_at_risk_resolve_clock_first(tmp_path: Path) -> None:
    """`warroom demo --as NAME` in a real 80x24 terminal: the first screen names every clock
    that is not ok (the at-risk resolve clock), says who you are, and ends its key bar with
    help and all actions."""
    tmux = Tmux(f"warroom-demo-{os.getpid()}")
    command = (f"{sys.executable} -m warroom --store {tmp_path / 'demo.db'} --as sam.lee demo; "
               f"sleep 5")
    env = {**os.environ, "TEXTUAL_ANIMATIONS": "none", "TERM": "xterm-256color"}
    env.pop("TMUX", None)
    subprocess.run([TMUX or "tmux", "-L", tmux.socket, "new-session", "-d", "-s", "console",
                    "-x", "80", "-y", "24", command], check=True, env=env, cwd=ROOT, timeout=10)
    try:
        screen = tmux.wait_for(lambda s: "ESC-1" in s and "● live" in s, "the demo")
        lines = [line.rstrip() for line in screen.splitlines() if line.strip()]
        assert any("▲ AT RISK" in line and "Resolve" in line for line in lines), screen
        assert any("Commitments" in line and "OVERDUE" in line for line in lines), screen
        assert "you: sam.lee · scribe" in screen
        assert lines[-1].endswith("?  help   ^p  all actions"), lines[-1]
        assert len(lines) == len(set(lines)), "a line shown twice"
        tmux.run("send-keys", "-t", "console", "q")
    finally:
        subprocess.run([TMUX or "tmux", "-L", tmux.socket, "kill-server"], capture_output=True,
                       timeout=10)
