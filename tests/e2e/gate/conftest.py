"""Fixtures for the SSH gate and the web wallboard: keys, rosters, gates, a seeded store."""

from __future__ import annotations

import asyncio
import contextlib
import re
import shutil
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import asyncssh
import pytest

from warroom.gate.ssh import GateSettings, SshGate

HERE = Path(__file__).resolve().parent
ECHO = HERE / "echo_console.py"
TITLE = "Checkout latency spike"


def need(*tools: str) -> None:
    """Skip the test, naming the tool, when one is not installed."""
    for tool in tools:
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed")


def echo_command(*extra: str) -> Callable[[str, bool], list[str]]:
    """A command factory running the stand-in console (bytes in, hex lines out)."""

    def build(person: str, read_only: bool) -> list[str]:
        return [sys.executable, str(ECHO), person, "ro" if read_only else "rw", *extra]

    return build


def seed_store(path: Path) -> None:
    """One open P1 escalation with a couple of notes, written through the real CLI code."""
    from warroom.cli import run

    base = ["--store", str(path), "--as", "dana"]
    assert run([*base, "open", TITLE, "--customer", "Acme", "--severity", "P1"]) == 0
    assert run([*base, "note", "ESC-1", "graphs show p99 at 4 s"]) == 0


@pytest.fixture
def client_key() -> asyncssh.SSHKey:
    return asyncssh.generate_private_key("ssh-ed25519")


def roster_line(key: asyncssh.SSHKey, options: str = 'warroom-person="dana"') -> str:
    public = key.export_public_key().decode().strip()
    return f"{options} {public}\n" if options else f"{public}\n"


class Gates:
    """Start in-process gates on free ports; everything is closed at the end of the test."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.roster = tmp_path / "ssh_roster"
        self.host_key = tmp_path / "ssh_host_key"
        self.log: list[str] = []
        self.gates: list[SshGate] = []

    async def start(self, roster: str = "", **settings: Any) -> SshGate:
        if roster or not self.roster.exists():
            self.roster.write_text(roster)
        options: dict[str, Any] = {"prefork": False, "command": echo_command()}
        options.update(settings)
        gate = SshGate(GateSettings(store=str(self.tmp_path / "warroom.db"),
                                    roster_path=self.roster, host_key_path=self.host_key,
                                    **options), log=self.log.append)
        await gate.start("127.0.0.1", 0)
        self.gates.append(gate)
        return gate

    async def close(self) -> None:
        for gate in self.gates:
            gate.close()
            await gate.wait_closed()


@pytest.fixture
async def gates(tmp_path: Path) -> AsyncIterator[Gates]:
    g = Gates(tmp_path)
    yield g
    await g.close()


async def connect(gate: SshGate, key: asyncssh.SSHKey | None, username: str = "warroom",
                  **options: Any) -> asyncssh.SSHClientConnection:
    """An asyncssh client connection that uses only `key` (no agent, no config, no defaults)."""
    return await asyncssh.connect(
        "127.0.0.1", gate.port, username=username, client_keys=[key] if key else [],
        known_hosts=None, agent_path=None, config=None, password=options.pop("password", None),
        preferred_auth=options.pop("preferred_auth", "publickey"), **options)


class Reader:
    """Accumulates a process's output and waits for a pattern in it."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.data = b""

    async def until(self, pattern: bytes | str, timeout: float = 10.0) -> re.Match[bytes]:
        rx = re.compile(pattern.encode() if isinstance(pattern, str) else pattern)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            match = rx.search(self.data)
            if match:
                return match
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(f"{pattern!r} not seen; output so far: {self.data[-600:]!r}")
            with contextlib.suppress(TimeoutError):
                chunk = await asyncio.wait_for(self.stream.read(65536), remaining)
                if not chunk:
                    match = rx.search(self.data)
                    if match:
                        return match
                    raise AssertionError(f"{pattern!r} not seen before EOF: {self.data[-600:]!r}")
                self.data += chunk

    async def rest(self, timeout: float = 10.0) -> bytes:
        """Everything until EOF."""
        async with asyncio.timeout(timeout):
            while chunk := await self.stream.read(65536):
                self.data += chunk
        return self.data


async def eventually(check: Callable[[], bool | Awaitable[bool]], timeout: float = 10.0,
                     what: str = "condition") -> None:
    """Wait until `check()` is true (polling every 20 ms), or fail after `timeout`."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        result = check()
        if not isinstance(result, bool):
            result = await result
        if result:
            return
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)
