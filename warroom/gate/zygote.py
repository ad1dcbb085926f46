"""Prefork launcher: consoles forked from a process that has already imported them.

Starting a console from scratch costs a Python start and the console stack's imports (about half
a second of CPU on a small machine) before it draws anything. The zygote pays that once: it
imports the console modules, freezes the garbage collector's view of them (so children share
those pages), then waits. For each session the gate sends it, over a SOCK_SEQPACKET socket, the
command line and environment together with the PTY slave (SCM_RIGHTS); the zygote forks, and the
child becomes a session leader with the slave as controlling terminal and stdio, takes the
session's environment, and runs `python -m warroom` (the command line) with those arguments. The
zygote reports each child's pid, and its wait status when it exits.

Only commands of the form `[python, "-m", "warroom", *args]` go through the zygote;
anything else (and everything, should the zygote fail) is spawned directly. The zygote is a
plain blocking loop with no threads and no event loop, so forking it is safe.

`python -m warroom.gate.zygote FD` runs the zygote on an inherited socket.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import json
import os
import runpy
import signal
import socket
import subprocess
import sys
from collections.abc import Mapping, Sequence
from typing import Any

from warroom.gate.guard import CONSOLE_MODULE
from warroom.gate.pty import SPAWN, ExitCallback

# Imported once in the zygote; anything missing is skipped.
PRELOAD = (
    "warroom.gate.guard",
    "warroom.cli",
    "warroom.cli.parser",
    "warroom.cli.context",
    "warroom.cli.console",
    "warroom.config",
    "warroom.service",
    "warroom.store.sqlite",
    "warroom.tui.launch",
    "warroom.tui.app",
    "textual.app",
    "textual.drivers.linux_driver",
)
# Packages imported whole (every screen and widget the console may show first).
PRELOAD_PACKAGES = ("warroom.tui",)
MAX_MESSAGE = 1 << 20


def _send(sock: socket.socket, message: dict[str, Any], fds: Sequence[int] = ()) -> None:
    data = json.dumps(message).encode()
    if fds:
        socket.send_fds(sock, [data], list(fds))
    else:
        sock.send(data)


# -- the zygote process ------------------------------------------------------------------


def _preload(modules: Sequence[str], packages: Sequence[str] = PRELOAD_PACKAGES) -> list[str]:
    import pkgutil

    names = list(modules)
    for package in packages:
        try:
            path = importlib.import_module(package).__path__
        except (ImportError, AttributeError):
            continue
        names += [info.name for info in pkgutil.walk_packages(path, package + ".")]
    loaded = []
    for name in names:
        try:
            importlib.import_module(name)
            loaded.append(name)
        except Exception:  # a module that cannot load is imported by the child instead
            continue
    return loaded


def _reopen_stdio() -> None:
    """New sys.std* objects on fds 0-2 (the zygote's were made for other files)."""
    import io

    def stream(fd: int, mode: str, errors: str) -> io.TextIOWrapper:
        raw = io.FileIO(fd, mode, closefd=False)
        buffered: io.BufferedReader | io.BufferedWriter = (
            io.BufferedReader(raw) if mode == "r" else io.BufferedWriter(raw))
        return io.TextIOWrapper(buffered, encoding="utf-8", errors=errors,
                                line_buffering=mode == "w")

    for name, fd, mode, errors in (("stdin", 0, "r", "strict"), ("stdout", 1, "w", "replace"),
                                   ("stderr", 2, "w", "backslashreplace")):
        new = stream(fd, mode, errors)
        setattr(sys, name, new)
        setattr(sys, f"__{name}__", new)


def _set_process_name(name: bytes) -> None:
    """Name the forked console in `ps -o comm` and `top` (Linux; best effort)."""
    with contextlib.suppress(Exception):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(15, ctypes.c_char_p(name[:15]), 0, 0, 0)  # PR_SET_NAME


def _become_console(sock: socket.socket, wake_r: int, wake_w: int, request: dict[str, Any],
                    slave: int) -> None:
    """In the forked child: take the terminal and run the console; never returns."""
    code = 1
    try:
        sock.close()
        signal.set_wakeup_fd(-1)
        os.close(wake_r)
        os.close(wake_w)
        for sig in (signal.SIGCHLD, signal.SIGTERM, signal.SIGHUP, signal.SIGWINCH,
                    signal.SIGQUIT, signal.SIGTSTP, signal.SIGTTIN, signal.SIGTTOU):
            signal.signal(sig, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        _set_process_name(b"warroom-console")
        os.setsid()
        import fcntl
        import termios

        fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
        for fd in (0, 1, 2):
            os.dup2(slave, fd)
        if slave > 2:
            os.close(slave)
        os.environ.clear()
        os.environ.update(request["env"])
        _reopen_stdio()
        args = list(request["args"])
        sys.argv = [CONSOLE_MODULE, *args]
        try:
            runpy.run_module(CONSOLE_MODULE, run_name="__main__", alter_sys=True)
            code = 0
        except SystemExit as exc:
            if exc.code is None:
                code = 0
            elif isinstance(exc.code, int):
                code = exc.code
            else:
                print(exc.code, file=sys.stderr)
                code = 1
    except BaseException:  # report, then leave with a status
        import traceback

        with contextlib.suppress(Exception):
            traceback.print_exc()
        code = 1
    finally:
        with contextlib.suppress(Exception):
            import atexit

            atexit._run_exitfuncs()
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        os._exit(code & 0xFF)


def zygote_main(fd: int, modules: Sequence[str] = PRELOAD) -> None:
    """The zygote's loop on socket `fd`: fork a console per request, report exits."""
    import gc
    import select

    sock = socket.socket(fileno=fd)
    _set_process_name(b"warroom-zygote")
    loaded = _preload(modules)
    gc.collect()
    gc.freeze()
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_r, False)
    os.set_blocking(wake_w, False)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the gate decides when the zygote ends
    _send(sock, {"ready": True, "preloaded": loaded})
    while True:
        try:
            readable, _, _ = select.select([sock.fileno(), wake_r], [], [])
        except InterruptedError:
            continue
        if wake_r in readable:
            with contextlib.suppress(BlockingIOError):
                os.read(wake_r, 4096)
        # Reap on every pass: a SIGCHLD may arrive between two selects.
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
            _send(sock, {"exit": pid, "status": status})
        if sock.fileno() not in readable:
            continue
        try:
            data, fds, _, _ = socket.recv_fds(sock, MAX_MESSAGE, 4)
        except InterruptedError:
            continue
        if not data:
            return  # the gate has gone; its PTYs are closed, so the consoles hang up
        request = json.loads(data)
        if len(fds) != 1:
            for extra in fds:
                os.close(extra)
            _send(sock, {"id": request.get("id"), "error": "expected one terminal"})
            continue
        slave = fds[0]
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
        try:
            pid = os.fork()
        except OSError as exc:
            os.close(slave)
            _send(sock, {"id": request.get("id"), "error": str(exc)})
            continue
        if pid == 0:
            _become_console(sock, wake_r, wake_w, request, slave)
        os.close(slave)
        _send(sock, {"id": request["id"], "pid": pid})


# -- the gate's side ---------------------------------------------------------------------


class ZygoteLauncher:
    """Launches consoles through a zygote process; falls back to `posix_spawn`.

    `await start()` (returns False if the zygote could not start), `launch()` as any launcher,
    `close()` at the end.
    """

    def __init__(self, env: Mapping[str, str], python: str = sys.executable,
                 ready_timeout: float = 30.0) -> None:
        self.env = dict(env)
        self.python = python
        self.ready_timeout = ready_timeout
        self.preloaded: list[str] = []
        self.proc: subprocess.Popen[bytes] | None = None
        self._sock: socket.socket | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._next_id = 0
        self._pending: dict[int, asyncio.Future[int]] = {}
        self._on_exit: dict[int, ExitCallback] = {}
        self._early_exits: dict[int, int] = {}
        self._ready: asyncio.Future[bool] | None = None

    @property
    def alive(self) -> bool:
        """True while the zygote answers."""
        return self._sock is not None

    async def start(self) -> bool:
        """Start the zygote and wait until it has imported the console."""
        loop = asyncio.get_running_loop()
        self._loop = loop
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            self.proc = subprocess.Popen(
                [self.python, "-m", "warroom.gate.zygote", str(theirs.fileno())],
                pass_fds=[theirs.fileno()], env=self.env, stdin=subprocess.DEVNULL,
                start_new_session=True)
        except OSError:
            ours.close()
            return False
        finally:
            theirs.close()
        ours.setblocking(False)
        self._sock = ours
        self._ready = loop.create_future()
        loop.add_reader(ours.fileno(), self._readable)
        try:
            return await asyncio.wait_for(asyncio.shield(self._ready), self.ready_timeout)
        except TimeoutError:
            self._lost()
            return False

    def _readable(self) -> None:
        sock = self._sock
        if sock is None:
            return
        while True:
            try:
                data, fds, _, _ = socket.recv_fds(sock, MAX_MESSAGE, 4)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                data, fds = b"", []
            for fd in fds:
                os.close(fd)
            if not data:
                self._lost()
                return
            self._message(json.loads(data))

    def _message(self, message: dict[str, Any]) -> None:
        if message.get("ready"):
            self.preloaded = list(message.get("preloaded", []))
            if self._ready is not None and not self._ready.done():
                self._ready.set_result(True)
            return
        if "exit" in message:
            pid, status = int(message["exit"]), int(message["status"])
            callback = self._on_exit.pop(pid, None)
            if callback is not None:
                callback(status)
            else:
                self._early_exits[pid] = status
            return
        future = self._pending.pop(int(message.get("id", -1)), None)
        if future is None or future.done():
            return
        if "pid" in message:
            future.set_result(int(message["pid"]))
        else:
            future.set_exception(OSError(message.get("error", "the zygote refused")))

    def _lost(self) -> None:
        """The zygote is gone: fail what waits on it; consoles it started report status 1."""
        if self._sock is not None and self._loop is not None:
            self._loop.remove_reader(self._sock.fileno())
            self._sock.close()
        self._sock = None
        if self._ready is not None and not self._ready.done():
            self._ready.set_result(False)
        for future in self._pending.values():
            if not future.done():
                future.set_exception(OSError("the zygote has gone"))
        self._pending.clear()
        orphans, self._on_exit = self._on_exit, {}
        for pid, callback in orphans.items():
            self._watch_orphan(pid, callback)

    def _watch_orphan(self, pid: int, callback: ExitCallback) -> None:
        """Follow a console whose zygote died (no wait status: report 1 when it ends)."""
        assert self._loop is not None
        loop = self._loop
        try:
            fd = os.pidfd_open(pid)
        except (OSError, AttributeError):
            loop.call_soon(callback, 1 << 8)
            return

        def gone() -> None:
            loop.remove_reader(fd)
            os.close(fd)
            callback(1 << 8)

        loop.add_reader(fd, gone)

    async def launch(self, argv: Sequence[str], env: Mapping[str, str], slave: int,
                     on_exit: ExitCallback) -> int:
        """See `warroom.gate.pty.Launcher.launch`."""
        prefix = [self.python, "-m", CONSOLE_MODULE]
        if self._sock is None or list(argv[:3]) != prefix:
            return await SPAWN.launch(argv, env, slave, on_exit)
        assert self._loop is not None
        self._next_id += 1
        request_id = self._next_id
        future: asyncio.Future[int] = self._loop.create_future()
        self._pending[request_id] = future
        try:
            _send(self._sock, {"id": request_id, "args": list(argv[3:]), "env": dict(env)},
                  [slave])
        except OSError:
            self._pending.pop(request_id, None)
            self._lost()
            return await SPAWN.launch(argv, env, slave, on_exit)
        pid = await future
        early = self._early_exits.pop(pid, None)
        if early is not None:
            self._loop.call_soon(on_exit, early)
        else:
            self._on_exit[pid] = on_exit
        return pid

    def close(self) -> None:
        """Stop the zygote (running consoles are not touched)."""
        if self._sock is not None:
            self._lost()
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(2)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


if __name__ == "__main__":
    zygote_main(int(sys.argv[1]))
