"""The prefork launcher: consoles forked from a zygote that has the console stack loaded."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from warroom import __version__
from warroom.gate.console import session_env
from warroom.gate.pty import PtyProcess
from warroom.gate.zygote import ZygoteLauncher

CHILD = [sys.executable, "-m", "warroom"]


@pytest.fixture
async def zygote() -> AsyncIterator[ZygoteLauncher]:
    launcher = ZygoteLauncher(session_env("-", False, "xterm-256color"))
    assert await launcher.start()
    yield launcher
    launcher.close()


async def run(launcher: ZygoteLauncher, argv: list[str], env: dict[str, str] | None = None,
              ) -> tuple[int, bytes, int]:
    """Run `argv` on a fresh PTY through `launcher`: (status, output, pid)."""
    out = bytearray()
    done: asyncio.Future[int] = asyncio.get_running_loop().create_future()
    proc = PtyProcess(argv, env or session_env("dana", False, "xterm"), cols=100, rows=30,
                      on_output=out.extend, on_exit=done.set_result)
    await proc.start(launcher)
    async with asyncio.timeout(20):
        status = await done
    assert proc.pid is not None
    return status, bytes(out), proc.pid


async def test_preloads_the_console(zygote: ZygoteLauncher) -> None:
    assert "warroom.cli" in zygote.preloaded and "textual.app" in zygote.preloaded
    assert "warroom.tui.app" in zygote.preloaded


async def test_forked_console_runs_the_cli_with_its_own_env(zygote: ZygoteLauncher,
                                                           tmp_path: Path) -> None:
    status, out, _ = await run(zygote, [*CHILD, "--version"])
    assert status == 0 and f"warroom {__version__}".encode() in out
    assert zygote.proc is not None
    assert Path(f"/proc/{zygote.proc.pid}").exists()  # forked from the zygote, which lives on
    env = session_env("dana", False, "xterm", base={**os.environ,
                                                     "XDG_CONFIG_HOME": str(tmp_path / "cfg")})
    status, out, _ = await run(zygote, [*CHILD, "config", "path"], env)
    assert status == 0 and str(tmp_path / "cfg").encode() in out.replace(b"\r\n", b"")
    status, out, _ = await run(zygote, [*CHILD, "--store", str(tmp_path / "s.db"),
                                        "status", "ESC-404"])
    # A read-only verb on a missing store says so (exit 4, naming the path), creating nothing.
    assert status == 4 and b"s.db" in out and not (tmp_path / "s.db").exists()


async def test_other_commands_and_a_lost_zygote_fall_back_to_spawning(
        zygote: ZygoteLauncher) -> None:
    status, out, _ = await run(zygote, [sys.executable, "-c", "print('spawned')"])
    assert status == 0 and b"spawned" in out
    assert zygote.proc is not None
    os.kill(zygote.proc.pid, signal.SIGKILL)
    async with asyncio.timeout(10):
        while zygote.alive:
            await asyncio.sleep(0.02)
    status, out, _ = await run(zygote, [*CHILD, "--version"])
    assert status == 0 and __version__.encode() in out
