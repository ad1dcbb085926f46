"""One SSH session channel: a console on a real PTY (see `warroom.gate.pty`), bytes in and
out, started when a start slot is free; only `shell` sessions on a terminal are served."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import asyncssh

from warroom.gate.console import session_env
from warroom.gate.pty import PtyProcess

if TYPE_CHECKING:
    from warroom.gate.connection import GateConnection
    from warroom.gate.ssh import SshGate

RESET = (b"\x1b[?1049l"  # leave the alternate screen
         b"\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1006l\x1b[?1015l"  # mouse reporting off
         b"\x1b[?1004l\x1b[?2004l"  # focus events and bracketed paste off
         b"\x1b[?25h\x1b[0m")  # cursor on, attributes off
NO_PTY = b"warroom: a terminal is needed; connect with plain `ssh` (or `ssh -t`).\r\n"


class ConsoleSession(asyncssh.SSHServerSession):
    """One SSH session channel: a console on a PTY, bytes in and out."""

    MAX_PENDING = 64 * 1024

    def __init__(self, gate: SshGate, server: GateConnection, person: str, read_only: bool) -> None:
        self.gate = gate
        self.server = server
        self.person = person
        self.read_only = read_only
        self.chan: asyncssh.SSHServerChannel[bytes] | None = None
        self.term: str | None = None
        self.size = (80, 24, 0, 0)
        self.proc: PtyProcess | None = None
        self.first_output_at: float | None = None
        self._pending = bytearray()
        self._task: asyncio.Task[None] | None = None
        self._output_seen = asyncio.Event()
        self._exited: asyncio.Future[int] | None = None
        self._closed = False

    # -- asyncssh callbacks -----------------------------------------------------------

    def connection_made(self, chan: asyncssh.SSHServerChannel[bytes]) -> None:
        self.chan = chan

    def pty_requested(self, term_type: str, term_size: tuple[int, int, int, int],
                      term_modes: Mapping[int, int]) -> bool:
        self.term = term_type or "xterm-256color"
        if term_size[0] > 0 and term_size[1] > 0:
            self.size = term_size
        return True

    def shell_requested(self) -> bool:
        return True

    def exec_requested(self, command: str) -> bool:
        self.gate.stats.refuse("exec")
        self.gate.log(f"refused exec request from {self.person}: {command[:60]!r}")
        return False

    def subsystem_requested(self, subsystem: str) -> bool:
        self.gate.stats.refuse("subsystem")
        self.gate.log(f"refused subsystem {subsystem!r} for {self.person}")
        return False

    def break_received(self, msec: int) -> bool:
        return False

    def signal_received(self, signal: str) -> None:
        """Clients may not signal the console; keys are the only input."""

    def session_started(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    def data_received(self, data: bytes, datatype: int | None) -> None:
        if datatype is not None:
            return
        if self.proc is not None:
            if self.proc.input_backlog < 1024 * 1024:
                self.proc.write(data)
        elif len(self._pending) + len(data) <= self.MAX_PENDING:
            self._pending.extend(data)

    def eof_received(self) -> bool:
        return True  # keep the channel open; the session ends with the console

    def terminal_size_changed(self, width: int, height: int, pixwidth: int,
                              pixheight: int) -> None:
        if width > 0 and height > 0:
            self.size = (width, height, pixwidth, pixheight)
            if self.proc is not None:
                self.proc.resize(width, height, pixwidth, pixheight)

    def pause_writing(self) -> None:
        if self.proc is not None:
            self.proc.pause_output()

    def resume_writing(self) -> None:
        if self.proc is not None:
            self.proc.resume_output()

    def connection_lost(self, exc: Exception | None) -> None:
        self.end()

    # -- the console ------------------------------------------------------------------

    def end(self) -> None:
        """End the session: hang up the console and forget it."""
        if self._closed:
            return
        self._closed = True
        if self.proc is not None:
            self.proc.terminate()
        if self._task is not None and not self._task.done() and self.proc is None:
            self._task.cancel()
        self.server.sessions.discard(self)
        self.gate.session_closed(self)
        if self.chan is not None:
            self.chan.close()

    def _output(self, data: bytes) -> None:
        if self.first_output_at is None:
            self.first_output_at = time.monotonic()
            self._output_seen.set()
        if self.chan is not None and not self._closed:
            self.chan.write(data)

    async def _run(self) -> None:
        chan = self.chan
        assert chan is not None
        if self.term is None:
            self.gate.stats.refuse("no pty")
            chan.write_stderr(NO_PTY)
            chan.exit(1)
            return
        loop = asyncio.get_running_loop()
        self._exited = loop.create_future()
        exited = self._exited
        cols, rows, xpix, ypix = self.size
        env = session_env(self.person, self.read_only, self.term, chan.get_environment())
        async with self.gate.start_slot():
            if self._closed:
                return
            self.proc = PtyProcess(
                self.gate.command_for(self.person, self.read_only), env,
                cols=cols, rows=rows, xpixels=xpix, ypixels=ypix,
                on_output=self._output,
                on_exit=lambda status: _settle(exited, status))
            try:
                await self.proc.start(self.gate.launcher_for_session())
            except OSError as exc:
                self.gate.log(f"could not start the console for {self.person}: {exc}")
                chan.write(b"warroom: the console could not be started.\r\n")
                chan.exit(1)
                return
            self.gate.stats.started_total += 1
            if self._closed:  # the client left while the console was being started
                self.proc.terminate()
                return
            if self._pending:
                self.proc.write(bytes(self._pending))
                self._pending.clear()
            self.proc.resize(*self.size)  # in case it changed while queued
            seen: asyncio.Future[Any] = loop.create_task(self._output_seen.wait())
            await asyncio.wait([seen, exited], timeout=self.gate.settings.start_timeout,
                               return_when=asyncio.FIRST_COMPLETED)
            seen.cancel()
        status = await exited
        if self._closed:
            return
        if status != 0:
            chan.write(RESET + f"\r\nwarroom: the console stopped unexpectedly "
                               f"(exit status {status}).\r\n".encode())
            self.gate.log(f"console of {self.person} ended with status {status}")
        chan.exit(status)


def _settle(future: asyncio.Future[int], value: int) -> None:
    if not future.done():
        future.set_result(value)
