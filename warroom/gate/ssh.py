"""The SSH gate: `ssh -p 2222 warroom@host` lands in your own console, as yourself.

An asyncssh server with one job. Identity comes from the public key alone, looked up in the
roster (see `warroom.gate.roster`), which is read anew for every connection. Each session
(`warroom.gate.session`) gets its own console process on a real PTY, started as
`warroom.gate.console` says (`console`, or `wall` for a read-only key).

Refused: user names other than the configured one, passwords and keyboard-interactive, host-based
auth, keys not in the roster, exec and subsystem requests (so no shell, sftp or scp), sessions
without a terminal, TCP/UNIX forwarding both ways, agent and X11 forwarding, tun/tap.

Unauthenticated connections are capped in all and per source address (`warroom.gate.limits`),
and must log in within the grace time (10 s), so bare connections from one address cannot lock
others out. A refused
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
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import asyncssh

from warroom.gate.connection import GateConnection
from warroom.gate.console import CommandFactory, console_command, session_env
from warroom.gate.hostkey import default_host_key_path, load_or_create_host_key
from warroom.gate.limits import GateStats, LoginLimits
from warroom.gate.pty import Launcher
from warroom.gate.roster import load_roster
from warroom.gate.session import ConsoleSession

if TYPE_CHECKING:
    from warroom.gate.roster import Roster
    from warroom.gate.zygote import ZygoteLauncher

DEFAULT_USER = "warroom"


def default_roster_path() -> Path:
    """`ssh_roster` in the config directory."""
    from warroom.paths import config_dir

    return config_dir() / "ssh_roster"


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
        self.login_limits = LoginLimits(settings.max_unauthenticated,
                                        settings.max_unauthenticated_per_address)
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
            lambda: GateConnection(self), host or None, port,
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
