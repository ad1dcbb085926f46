"""One SSH client connection to the gate: admission (`warroom.gate.limits`), authentication
by public key against the roster as it is now, the sessions it may open, and refusal (counted
and logged) of everything else: other user names, passwords, unknown keys, forwarding."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import asyncssh

from warroom.gate.roster import PERSON_OPTION, READONLY_OPTION, identity_from_options
from warroom.gate.session import ConsoleSession

if TYPE_CHECKING:
    from warroom.gate.ssh import SshGate


class GateConnection(asyncssh.SSHServer):
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
        gate.stats.connections += 1
        refusal = gate.login_limits.admit(self.address)
        if refusal is not None:
            self._refuse(*refusal)
            return
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
            self.gate.login_limits.release(self.address)
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
