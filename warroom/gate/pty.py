"""A child process on a real pseudo-terminal, driven from an asyncio loop.

The child is spawned with `posix_spawn` as the leader of a new session that opens the PTY's
slave side by name, so the PTY becomes its controlling terminal: window-size changes reach it as
SIGWINCH, and a hang-up reaches it as SIGHUP. The slave starts in raw mode (no echo, no signal
keys), so Ctrl-C arrives as the byte 0x03 even before the program sets its own modes (output
keeps OPOST/ONLCR, so a traceback printed before then stays readable). Bytes flow untouched in
both directions: nothing here decodes text, so a UTF-8 character split across two reads passes
through whole.

The program is started by a `Launcher`: `SpawnLauncher` (posix_spawn from this process; exit
noticed through a pidfd, with a waiting thread as the fallback), or the prefork launcher in
`warroom.gate.zygote`, which forks consoles from a process that has already imported them.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import fcntl
import os
import signal
import struct
import termios
import tty
from collections.abc import Callable, Mapping, Sequence
from typing import Protocol

READ_SIZE = 65536
WRITE_HIGH_WATER = 256 * 1024
# Signals whose disposition a server may have changed and a child must not inherit.
_DEFAULT_SIGNALS = (signal.SIGPIPE, signal.SIGXFSZ, signal.SIGINT, signal.SIGTERM, signal.SIGHUP,
                    signal.SIGQUIT, signal.SIGTSTP, signal.SIGTTIN, signal.SIGTTOU,
                    signal.SIGWINCH, signal.SIGCHLD)


def set_winsize(fd: int, cols: int, rows: int, xpixels: int = 0, ypixels: int = 0) -> None:
    """Set a terminal's size (on the master side the kernel then signals SIGWINCH)."""
    cols = max(1, min(cols, 0xFFFF))
    rows = max(1, min(rows, 0xFFFF))
    xpixels = max(0, min(xpixels, 0xFFFF))
    ypixels = max(0, min(ypixels, 0xFFFF))
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, xpixels, ypixels))


def exit_status(wait_status: int) -> int:
    """A shell-style exit status: the code, or 128 + the signal number."""
    if os.WIFSIGNALED(wait_status):
        return 128 + os.WTERMSIG(wait_status)
    if os.WIFEXITED(wait_status):
        return os.WEXITSTATUS(wait_status)
    return 1


class PtyProcess:
    """One program on its own PTY.

    `on_output(data)` receives what the program writes; `on_exit(status)` is called once, after
    the program has exited and its last output has been delivered.
    """

    def __init__(self, argv: Sequence[str], env: Mapping[str, str], *, cols: int, rows: int,
                 xpixels: int = 0, ypixels: int = 0,
                 on_output: Callable[[bytes], None],
                 on_exit: Callable[[int], None]) -> None:
        self.argv = list(argv)
        self.env = dict(env)
        self.size = (cols, rows, xpixels, ypixels)
        self._on_output = on_output
        self._on_exit = on_exit
        self.pid: int | None = None
        self.status: int | None = None
        self._master: int | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._reading = False
        self._paused = False
        self._eof = False
        self._waited = False
        self._wait_status: int | None = None
        self._outbuf = bytearray()
        self._writer_on = False
        self._exit_reported = False
        self._kill_handle: asyncio.TimerHandle | None = None

    # -- starting -------------------------------------------------------------------------

    async def start(self, launcher: Launcher | None = None) -> None:
        """Open the PTY and start the program (raises OSError if it cannot be run).

        `launcher` None: `posix_spawn` from this process (see `SpawnLauncher`).
        """
        loop = asyncio.get_running_loop()
        self._loop = loop
        launcher = launcher or SPAWN
        master, slave = os.openpty()
        try:
            tty.setraw(slave)
            attrs = termios.tcgetattr(slave)
            attrs[0] |= getattr(termios, "IUTF8", 0)  # iflag: UTF-8 aware erase
            attrs[1] |= termios.OPOST | termios.ONLCR  # oflag: readable error text before the UI
            termios.tcsetattr(slave, termios.TCSANOW, attrs)
            set_winsize(slave, *self.size)
            self.pid = await launcher.launch(self.argv, self.env, slave, self._reaped)
        except BaseException:
            os.close(master)
            raise
        finally:
            os.close(slave)
        os.set_blocking(master, False)
        self._master = master
        self._start_reading()

    def _reaped(self, wait_status: int) -> None:
        self._waited = True
        self._wait_status = wait_status
        if self._kill_handle is not None:
            self._kill_handle.cancel()
            self._kill_handle = None
        # Whatever the program wrote before exiting is still in the PTY: drain it first.
        self._drain_output()
        self._maybe_finish()

    # -- output ---------------------------------------------------------------------------

    def _start_reading(self) -> None:
        if self._reading or self._eof or self._master is None or self._paused:
            return
        assert self._loop is not None
        self._loop.add_reader(self._master, self._readable)
        self._reading = True

    def _stop_reading(self) -> None:
        if self._reading and self._master is not None:
            assert self._loop is not None
            self._loop.remove_reader(self._master)
        self._reading = False

    def _readable(self) -> None:
        if self._master is None:
            return
        try:
            data = os.read(self._master, READ_SIZE)
        except BlockingIOError:
            return
        except OSError as exc:  # EIO: every slave descriptor is closed
            if exc.errno not in (errno.EIO, errno.EBADF):
                raise
            data = b""
        if not data:
            self._eof = True
            self._stop_reading()
            self._maybe_finish()
            return
        self._on_output(data)

    def _drain_output(self) -> None:
        """Deliver what is left in the PTY after the program has exited (ignores pausing)."""
        while self._master is not None and not self._eof:
            try:
                data = os.read(self._master, READ_SIZE)
            except BlockingIOError:
                break
            except OSError:
                data = b""
            if not data:
                self._eof = True
                break
            self._on_output(data)
        self._stop_reading()

    def pause_output(self) -> None:
        """Stop reading the program's output (the reader is slow); the program then blocks."""
        self._paused = True
        self._stop_reading()

    def resume_output(self) -> None:
        """Read the program's output again."""
        self._paused = False
        self._start_reading()

    def _maybe_finish(self) -> None:
        if not self._waited or self._exit_reported:
            return
        self._exit_reported = True
        self.status = exit_status(self._wait_status or 0)
        self._close_master()
        self._on_exit(self.status)

    # -- input ----------------------------------------------------------------------------

    def write(self, data: bytes) -> None:
        """Queue bytes for the program's terminal input."""
        if self._master is None or not data:
            return
        if not self._outbuf:
            try:
                written = os.write(self._master, data)
            except BlockingIOError:
                written = 0
            except OSError:
                return
            data = data[written:]
            if not data:
                return
        self._outbuf.extend(data)
        if not self._writer_on:
            assert self._loop is not None
            self._loop.add_writer(self._master, self._writable)
            self._writer_on = True

    def _writable(self) -> None:
        if self._master is None:
            return
        try:
            written = os.write(self._master, self._outbuf)
        except BlockingIOError:
            return
        except OSError:
            written = len(self._outbuf)
        del self._outbuf[:written]
        if not self._outbuf:
            assert self._loop is not None
            self._loop.remove_writer(self._master)
            self._writer_on = False

    @property
    def input_backlog(self) -> int:
        """Bytes waiting to be written to the program's terminal."""
        return len(self._outbuf)

    # -- control --------------------------------------------------------------------------

    def resize(self, cols: int, rows: int, xpixels: int = 0, ypixels: int = 0) -> None:
        """Change the terminal size; the kernel sends SIGWINCH to the program."""
        self.size = (cols, rows, xpixels, ypixels)
        if self._master is not None:
            with contextlib.suppress(OSError):
                set_winsize(self._master, cols, rows, xpixels, ypixels)

    def terminate(self, grace: float = 2.0) -> None:
        """Hang up the terminal (SIGHUP), then kill the session after `grace` seconds."""
        if self.pid is None or self._waited:
            self._close_master()
            return
        self._signal_group(signal.SIGHUP)
        self._signal_group(signal.SIGCONT)
        self._close_master()
        if self._loop is not None and self._kill_handle is None:
            self._kill_handle = self._loop.call_later(grace, self._signal_group, signal.SIGKILL)

    def _signal_group(self, sig: int) -> None:
        if self.pid is None or self._waited:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, sig)

    def _close_master(self) -> None:
        if self._master is None:
            return
        assert self._loop is not None
        self._stop_reading()
        if self._writer_on:
            self._loop.remove_writer(self._master)
            self._writer_on = False
        self._outbuf.clear()
        os.close(self._master)
        self._master = None
        self._eof = True

    @property
    def running(self) -> bool:
        """True until the program has exited."""
        return self.pid is not None and not self._waited


ExitCallback = Callable[[int], None]


class Launcher(Protocol):
    """Starts a program on a PTY slave as a new session leader; reports its wait status."""

    async def launch(self, argv: Sequence[str], env: Mapping[str, str], slave: int,
                     on_exit: ExitCallback) -> int:
        """Start `argv` with `slave` as its controlling terminal and stdio; returns the pid.

        `on_exit(wait_status)` is called once, from the event loop, when it has exited.
        """
        ...


class SpawnLauncher:
    """`posix_spawn` from this process: setsid, then open the slave by name (so it becomes the
    controlling terminal) as stdin, stdout and stderr. Exit is noticed through a pidfd, or a
    waiting thread where pidfds are missing."""

    async def launch(self, argv: Sequence[str], env: Mapping[str, str], slave: int,
                     on_exit: ExitCallback) -> int:
        """See `Launcher.launch`."""
        loop = asyncio.get_running_loop()
        file_actions = [
            (os.POSIX_SPAWN_OPEN, 0, os.ttyname(slave), os.O_RDWR, 0),
            (os.POSIX_SPAWN_DUP2, 0, 1),
            (os.POSIX_SPAWN_DUP2, 0, 2),
        ]
        pid = os.posix_spawn(argv[0], list(argv), dict(env), file_actions=file_actions,
                             setsid=True, setsigmask=(), setsigdef=_DEFAULT_SIGNALS)
        watch_exit(loop, pid, on_exit)
        return pid


def watch_exit(loop: asyncio.AbstractEventLoop, pid: int, on_exit: ExitCallback) -> None:
    """Call `on_exit(wait_status)` when our child `pid` exits (pidfd, else a thread)."""
    pidfd: int | None = None
    pidfd_open = getattr(os, "pidfd_open", None)
    if pidfd_open is not None:
        with contextlib.suppress(OSError):
            pidfd = pidfd_open(pid)
    if pidfd is not None:
        fd = pidfd

        def reap() -> None:
            loop.remove_reader(fd)
            os.close(fd)
            try:
                wait_status = os.waitpid(pid, 0)[1]
            except ChildProcessError:
                wait_status = 0
            on_exit(wait_status)

        loop.add_reader(fd, reap)
        return
    future = loop.run_in_executor(None, lambda: os.waitpid(pid, 0)[1])
    future.add_done_callback(lambda f: on_exit(f.result()))


SPAWN = SpawnLauncher()
