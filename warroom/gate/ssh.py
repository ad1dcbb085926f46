"""The SSH gate: `ssh -p 2222 warroom@host` lands in your own console, as yourself.

An asyncssh server with one job. Identity comes from the public key alone, looked up in the
roster (see `warroom.gate.roster`), which is read anew for every connection. Each session gets
its own console process on a real PTY (see `warroom.gate.pty`), started as
`python -m warroom --store STORE --as PERSON [--config FILE] console` (or `wall` for
a read-only key), with `WARROOM_USER=PERSON` and `WARROOM_REMOTE_SESSION=1` in its environment.

Refused: user names other than the configured one, passwords and keyboard-interactive, host-based
auth, keys not in the roster, exec and subsystem requests (so no shell, sftp or scp), sessions
without a terminal, TCP/UNIX forwarding both ways, agent and X11 forwarding, tun/tap.

Unauthenticated connections are capped in all and per source address, and must log in within
the grace time (10 s), so bare connections from one address cannot lock others out. A refused
connection still gets the version banner first (then a disconnect with the reason), and every
refusal is logged with the address and the reason.

Load: keepalives end dead sessions; sessions are capped globally and per connection; at most
`max_starting` consoles start at once (a console counts as starting until it first writes to its
terminal), so a join storm queues briefly instead of stalling everyone.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import asyncssh

from warroom.gate.guard import CONSOLE_MODULE, REMOTE_ENV
from warroom.gate.pty import Launcher, PtyProcess
from warroom.gate.roster import (
    PERSON_OPTION,
    READONLY_OPTION,
    identity_from_options,
    load_roster,
)

if TYPE_CHECKING:
    from warroom.gate.roster import Roster
    from warroom.gate.zygote import ZygoteLauncher

DEFAULT_USER = "warroom"
RESET = (b"\x1b[?1049l"  # leave the alternate screen
         b"\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1006l\x1b[?1015l"  # mouse reporting off
         b"\x1b[?1004l\x1b[?2004l"  # focus events and bracketed paste off
         b"\x1b[?25h\x1b[0m")  # cursor on, attributes off
NO_PTY = b"warroom: a terminal is needed; connect with plain `ssh` (or `ssh -t`).\r\n"
# Environment a console must not inherit from the server process.
_STRIP_ENV = ("DISPLAY", "WAYLAND_DISPLAY", "XAUTHORITY", "SSH_AUTH_SOCK", "SSH_AGENT_PID",
              "SSH_CONNECTION", "SSH_CLIENT", "SSH_TTY", "TMUX", "TMUX_PANE", "STY", "COLUMNS",
              "LINES", "TERM", "COLORTERM", "TERM_PROGRAM", "TERM_PROGRAM_VERSION",
              "WARROOM_USER", "WARROOM_READONLY", "WARROOM_STORE", "WARROOM_WEB_TOKEN",
              "WARROOM_TOKEN",
              "TEXTUAL", "TEXTUAL_DRIVER", "TEXTUAL_SCREENSHOT", "TEXTUAL_SCREENSHOT_LOCATION",
              "TEXTUAL_SCREENSHOT_FILENAME", "TEXTUAL_PRESS", "TEXTUAL_LOG",
              "TEXTUAL_DEVTOOLS_HOST", "TEXTUAL_DEVTOOLS_PORT", "TEXTUAL_COLOR_SYSTEM",
              "PYTHONSTARTUP", "PYTHONINSPECT", "PYTHONBREAKPOINT")

CommandFactory = Callable[[str, bool], Sequence[str]]


def default_roster_path() -> Path:
    """`ssh_roster` in the config directory."""
    from warroom.paths import config_dir

    return config_dir() / "ssh_roster"


def default_host_key_path() -> Path:
    """`ssh_host_key` in the data directory."""
    from warroom.paths import data_dir

    return data_dir() / "ssh_host_key"


def load_or_create_host_key(path: str | Path) -> tuple[asyncssh.SSHKey, bool]:
    """The server's host key, generated (ed25519, mode 0600) the first time; (key, created)."""
    path = Path(path)
    if path.exists():
        return asyncssh.read_private_key(path), False
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = asyncssh.generate_private_key("ssh-ed25519", comment="warroom ssh gate")
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(key.export_private_key())
    try:
        os.link(tmp, path)  # never replaces a key another process just wrote
    except FileExistsError:
        tmp.unlink()
        return asyncssh.read_private_key(path), False
    tmp.unlink()
    with contextlib.suppress(OSError):
        path.with_name(path.name + ".pub").write_bytes(key.export_public_key())
    return key, True


def console_command(store: str, config_path: str | None = None) -> CommandFactory:
    """The command line of a session's console: `console`, or `wall` for a read-only key."""

    def build(person: str, read_only: bool) -> list[str]:
        argv = [sys.executable, "-m", CONSOLE_MODULE, "--store", store, "--as", person]
        if config_path:
            argv += ["--config", str(config_path)]
        argv.append("wall" if read_only else "console")
        return argv

    return build


def session_env(person: str, read_only: bool, term: str,
                client_env: Mapping[str, str] | None = None,
                base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of a session's console."""
    env = {k: v for k, v in (os.environ if base is None else base).items()
           if k not in _STRIP_ENV}
    env["TERM"] = term or "xterm-256color"
    env["WARROOM_USER"] = person
    env[REMOTE_ENV] = "1"
    if read_only:
        env["WARROOM_READONLY"] = "1"
    env["BROWSER"] = "true"  # a second lock: webbrowser.open does nothing
    if "UTF-8" not in env.get("LANG", "").upper().replace("UTF8", "UTF-8"):
        env["LANG"] = "C.UTF-8"
    env.pop("LC_ALL", None)
    colorterm = (client_env or {}).get("COLORTERM", "")
    if colorterm in ("truecolor", "24bit"):
        env["COLORTERM"] = colorterm
    return env


@dataclass
class GateStats:
    """Counters, for the log and the tests."""

    connections: int = 0
    sessions: int = 0
    starting: int = 0
    peak_starting: int = 0
    peak_sessions: int = 0
    started_total: int = 0
    refused: dict[str, int] = field(default_factory=dict)

    def refuse(self, reason: str) -> None:
        """Count one refusal."""
        self.refused[reason] = self.refused.get(reason, 0) + 1


@dataclass
class GateSettings:
    """What the gate needs; only `store` has no default."""

    store: str
    roster_path: Path = field(default_factory=default_roster_path)
    host_key_path: Path = field(default_factory=default_host_key_path)
    config_path: str | None = None
    user: str = DEFAULT_USER
    max_sessions: int = 64
    max_sessions_per_connection: int = 4
    max_starting: int = field(default_factory=lambda: max(2, os.cpu_count() or 2))
    max_unauthenticated: int = 64
    max_unauthenticated_per_address: int = 8
    keepalive_interval: float = 15.0
    keepalive_count_max: int = 3
    login_timeout: float = 10.0
    start_timeout: float = 10.0
    prefork: bool = True
    command: CommandFactory | None = None


class SshGate:
    """The SSH server. `await start()`, then `close()` and `await wait_closed()`."""

    def __init__(self, settings: GateSettings, log: Callable[[str], None] | None = None) -> None:
        self.settings = settings
        self.stats = GateStats()
        self.host_key: asyncssh.SSHKey | None = None
        self.host_key_created = False
        self._log = log or (lambda text: print(f"warroom ssh: {text}", file=sys.stderr,
                                               flush=True))
        self._command = settings.command or console_command(settings.store, settings.config_path)
        self._start_slots = asyncio.Semaphore(settings.max_starting)
        self._server: asyncssh.SSHAcceptor | None = None
        self._sessions: set[ConsoleSession] = set()
        self._unauthenticated = 0
        self._unauthenticated_from: dict[str, int] = {}
        self.launcher: Launcher | None = None
        self._zygote: ZygoteLauncher | None = None
        self._zygote_restarted_at = 0.0

    @property
    def fingerprint(self) -> str:
        """The host key's SHA256 fingerprint."""
        assert self.host_key is not None
        return self.host_key.get_fingerprint("sha256")

    @property
    def port(self) -> int:
        """The port actually listened on (useful with port 0)."""
        assert self._server is not None
        return int(self._server.get_port())

    def log(self, text: str) -> None:
        """Write one line to the gate's log."""
        self._log(text)

    async def start(self, host: str = "127.0.0.1", port: int = 2222) -> int:
        """Load (or create) the host key and listen; returns the port."""
        s = self.settings
        self.host_key, self.host_key_created = load_or_create_host_key(s.host_key_path)
        if s.prefork:
            await self._start_zygote()
        self._server = await asyncssh.create_server(
            lambda: _GateServer(self), host or None, port,
            server_host_keys=[self.host_key],
            server_version="warroom",
            encoding=None,
            line_editor=False,
            allow_pty=True,
            x11_forwarding=False,
            agent_forwarding=False,
            allow_scp=False,
            sftp_factory=None,
            public_key_auth=True,
            password_auth=False,
            kbdint_auth=False,
            host_based_auth=False,
            gss_host=None,
            keepalive_interval=s.keepalive_interval,
            keepalive_count_max=s.keepalive_count_max,
            login_timeout=s.login_timeout,
            tcp_keepalive=True,
        )
        return self.port

    async def _start_zygote(self) -> None:
        from warroom.gate.zygote import ZygoteLauncher

        self._zygote_restarted_at = time.monotonic()
        zygote = ZygoteLauncher(session_env("-", False, "xterm-256color"))
        if await zygote.start():
            self._zygote = zygote
            self.launcher = zygote
        else:
            zygote.close()
            self.log("console prefork unavailable; consoles start from scratch")

    def launcher_for_session(self) -> Launcher | None:
        """The launcher to use now (restarting a lost zygote at most once a minute)."""
        zygote = self._zygote
        if (self.settings.prefork and (zygote is None or not zygote.alive)
                and time.monotonic() - self._zygote_restarted_at > 60):
            if zygote is not None:
                zygote.close()
                self._zygote = None
                self.log("console prefork lost; restarting it")
            self._zygote_restarted_at = time.monotonic()
            asyncio.get_running_loop().create_task(self._start_zygote())
        return self.launcher

    def close(self) -> None:
        """Stop listening and end every session."""
        if self._server is not None:
            self._server.close()
        for session in list(self._sessions):
            session.end()
        if self._zygote is not None:
            self._zygote.close()
            self._zygote = None

    async def wait_closed(self) -> None:
        """Wait until the listener is closed."""
        if self._server is not None:
            await self._server.wait_closed()

    def banner(self, host: str) -> list[str]:
        """Start-up lines: where, which user, the host key fingerprint, the roster."""
        s = self.settings
        roster = load_roster(s.roster_path)
        key_note = "created" if self.host_key_created else "kept"
        lines = [
            f"listening on {host}:{self.port}; join with: ssh -p {self.port} {s.user}@{host}",
            f"host key {self.fingerprint} ({self.host_key.get_algorithm() if self.host_key else ''}"
            f", {key_note} in {s.host_key_path})",
            f"roster {s.roster_path}: {roster.summary()} (re-read on every connection)",
        ]
        lines += [f"roster: {problem}" for problem in roster.problems]
        with contextlib.suppress(OSError):
            if s.roster_path.stat().st_mode & 0o022:
                lines.append(f"warning: {s.roster_path} is writable by others, who could add "
                             "keys: chmod go-w it")
        return lines

    # -- used by connections and sessions ---------------------------------------------

    def load_roster(self) -> Roster:
        """The roster as it is now."""
        return load_roster(self.settings.roster_path)

    def command_for(self, person: str, read_only: bool) -> list[str]:
        """The console command line for one person."""
        return list(self._command(person, read_only))

    def session_opened(self, session: ConsoleSession) -> None:
        """Count a session in."""
        self._sessions.add(session)
        self.stats.sessions = len(self._sessions)
        self.stats.peak_sessions = max(self.stats.peak_sessions, self.stats.sessions)

    def session_closed(self, session: ConsoleSession) -> None:
        """Count a session out."""
        self._sessions.discard(session)
        self.stats.sessions = len(self._sessions)

    @contextlib.asynccontextmanager
    async def start_slot(self) -> Any:
        """Hold one of the `max_starting` slots."""
        async with self._start_slots:
            self.stats.starting += 1
            self.stats.peak_starting = max(self.stats.peak_starting, self.stats.starting)
            try:
                yield
            finally:
                self.stats.starting -= 1


class _GateServer(asyncssh.SSHServer):
    """One client connection: authentication and the sessions on it."""

    def __init__(self, gate: SshGate) -> None:
        self.gate = gate
        self.conn: asyncssh.SSHServerConnection | None = None
        self.peer = "?"
        self.person: str | None = None
        self.read_only = False
        self.sessions: set[ConsoleSession] = set()
        self._counted_unauth = False
        self._wrong_user = False
        self.address = "?"

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self.conn = conn
        peer = conn.get_extra_info("peername")
        self.peer = f"{peer[0]}:{peer[1]}" if peer else "?"
        self.address = str(peer[0]) if peer else "?"
        gate = self.gate
        s = gate.settings
        gate.stats.connections += 1
        from_here = gate._unauthenticated_from.get(self.address, 0)
        if from_here >= s.max_unauthenticated_per_address:
            self._refuse("too many connections from one address",
                         f"{from_here} from {self.address} not yet logged in")
            return
        if gate._unauthenticated >= s.max_unauthenticated:
            self._refuse("too many connections", f"{gate._unauthenticated} not yet logged in")
            return
        gate._unauthenticated += 1
        gate._unauthenticated_from[self.address] = from_here + 1
        self._counted_unauth = True

    def _refuse(self, reason: str, detail: str) -> None:
        """Count, log and refuse this connection, after the version banner has gone out
        (asyncssh sends it just after `connection_made`)."""
        assert self.conn is not None
        self.gate.stats.refuse(reason)
        self.gate.log(f"refused {self.peer}: {reason} ({detail})")
        asyncio.get_running_loop().call_soon(
            self.conn.disconnect, asyncssh.DISC_TOO_MANY_CONNECTIONS, reason)

    def _authenticated(self) -> None:
        if self._counted_unauth:
            gate = self.gate
            gate._unauthenticated -= 1
            left = gate._unauthenticated_from.get(self.address, 1) - 1
            if left > 0:
                gate._unauthenticated_from[self.address] = left
            else:
                gate._unauthenticated_from.pop(self.address, None)
            self._counted_unauth = False

    def connection_lost(self, exc: Exception | None) -> None:
        if self._counted_unauth and exc is not None and "timeout" in str(exc).lower():
            self.gate.stats.refuse("login grace")
            self.gate.log(f"refused {self.peer}: no login within "
                          f"{self.gate.settings.login_timeout:g} s")
        self._authenticated()
        self.gate.stats.connections -= 1
        for session in list(self.sessions):
            session.end()

    def begin_auth(self, username: str) -> bool:
        assert self.conn is not None
        if username != self.gate.settings.user:
            self._wrong_user = True
            self.gate.stats.refuse("user")
            self.gate.log(f"refused user {username!r} from {self.peer} "
                          f"(only {self.gate.settings.user!r})")
            self.conn.set_authorized_keys(None)
            return True
        roster = self.gate.load_roster()
        self.conn.set_authorized_keys(roster.authorized_keys())
        return True

    def public_key_auth_supported(self) -> bool:
        return True

    def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        # Reached only for keys not in the roster (or any key under a refused user name).
        if self._wrong_user:
            return False
        self.gate.stats.refuse("key")
        self.gate.log(f"refused unknown key {key.get_fingerprint('sha256')} from {self.peer}")
        return False

    def password_auth_supported(self) -> bool:
        return False

    def kbdint_auth_supported(self) -> bool:
        return False

    def host_based_auth_supported(self) -> bool:
        return False

    def auth_completed(self) -> None:
        assert self.conn is not None
        self._authenticated()
        options: dict[str, Any] = {
            PERSON_OPTION: self.conn.get_key_option(PERSON_OPTION),
            READONLY_OPTION: self.conn.get_key_option(READONLY_OPTION),
            "environment": self.conn.get_key_option("environment") or {},
        }
        person, read_only = identity_from_options(options)
        if person is None:  # the roster filter makes this unreachable; refuse all the same
            self.gate.stats.refuse("key")
            self.conn.disconnect(asyncssh.DISC_NO_MORE_AUTH_METHODS_AVAILABLE,
                                 "this key names no person")
            return
        self.person, self.read_only = person, read_only
        self.gate.log(f"{person} joined from {self.peer}"
                      f"{' (read-only)' if read_only else ''}")

    def session_requested(self) -> ConsoleSession:
        gate = self.gate
        if self.person is None:
            raise asyncssh.ChannelOpenError(asyncssh.OPEN_ADMINISTRATIVELY_PROHIBITED,
                                            "not authenticated")
        if len(self.sessions) >= gate.settings.max_sessions_per_connection:
            gate.stats.refuse("per-connection cap")
            raise asyncssh.ChannelOpenError(asyncssh.OPEN_RESOURCE_SHORTAGE,
                                            "too many sessions on this connection")
        if gate.stats.sessions >= gate.settings.max_sessions:
            gate.stats.refuse("session cap")
            gate.log(f"refused a session for {self.person}: {gate.settings.max_sessions} "
                     "sessions already open")
            raise asyncssh.ChannelOpenError(asyncssh.OPEN_RESOURCE_SHORTAGE,
                                            "the war room is full; try again shortly")
        session = ConsoleSession(gate, self, self.person, self.read_only)
        self.sessions.add(session)
        gate.session_opened(session)
        return session

    # Forwarding of every kind is refused (asyncssh's defaults, made explicit and logged).
    def connection_requested(self, dest_host: str, dest_port: int, orig_host: str,
                             orig_port: int) -> bool:
        self.gate.stats.refuse("forwarding")
        return False

    def server_requested(self, listen_host: str, listen_port: int) -> bool:
        self.gate.stats.refuse("forwarding")
        return False

    def unix_connection_requested(self, dest_path: str) -> bool:
        self.gate.stats.refuse("forwarding")
        return False

    def unix_server_requested(self, listen_path: str) -> bool:
        self.gate.stats.refuse("forwarding")
        return False

    def tun_requested(self, unit: int | None) -> bool:
        self.gate.stats.refuse("forwarding")
        return False

    def tap_requested(self, unit: int | None) -> bool:
        self.gate.stats.refuse("forwarding")
        return False


class ConsoleSession(asyncssh.SSHServerSession):
    """One SSH session channel: a console on a PTY, bytes in and out."""

    MAX_PENDING = 64 * 1024

    def __init__(self, gate: SshGate, server: _GateServer, person: str, read_only: bool) -> None:
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


async def run_ssh_gate(host: str, port: int, store: str, roster_path: str | Path | None = None,
                       host_key_path: str | Path | None = None,
                       config_path: str | Path | None = None, *,
                       user: str = DEFAULT_USER,
                       max_sessions: int = 64,
                       max_sessions_per_connection: int = 4,
                       max_starting: int | None = None,
                       keepalive_interval: float = 15.0,
                       keepalive_count_max: int = 3,
                       prefork: bool = True,
                       started: Callable[[SshGate], None] | None = None) -> None:
    """Run the SSH gate until cancelled (a coroutine: run it beside the API in one loop).

    Prints where it listens, the host key fingerprint and the roster summary to stderr.
    """
    if str(store).startswith(("http://", "https://")):
        raise ValueError("the SSH gate runs consoles on the store file itself; give its path "
                         "(a server URL would make every session act with the server's token)")
    settings = GateSettings(
        store=str(store),
        roster_path=Path(roster_path) if roster_path else default_roster_path(),
        host_key_path=Path(host_key_path) if host_key_path else default_host_key_path(),
        config_path=str(config_path) if config_path else None,
        user=user,
        max_sessions=max_sessions,
        max_sessions_per_connection=max_sessions_per_connection,
        keepalive_interval=keepalive_interval,
        keepalive_count_max=keepalive_count_max,
        prefork=prefork,
    )
    if max_starting is not None:
        settings.max_starting = max_starting
    gate = SshGate(settings)
    await gate.start(host, port)
    for line in gate.banner(host):
        gate.log(line)
    if started is not None:
        started(gate)
    try:
        await asyncio.Event().wait()
    finally:
        gate.close()
        await gate.wait_closed()
