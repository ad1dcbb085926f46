"""Talking to `warroom serve`: `HttpStore`, the Store protocol over HTTP + SSE (the service on
top of it is `warroom.service.remote.RemoteWarRoom`).

- Reads (`read`, `last_seq`, `lookup`, drafts) are plain requests on a sync httpx client.
- `watch()` follows `GET /api/v1/stream` (Server-Sent Events), resuming after the last seq it saw
  with `Last-Event-ID`, reconnecting with exponential backoff and jitter.
- Commands never go straight to the wire: `RemoteWarRoom.execute` writes them to the local
  `Outbox` with an idempotency key, then flushes the outbox in order. While the server is
  unreachable they wait; `watch()` flushes them as soon as it reconnects. The server keeps each
  key's outcome, so a resend never makes a second event.
- `read_snapshot()` fetches the server's stored snapshot of folded state (`GET /snapshot`), so a
  mirror starts from it and reads only the log after its seq; a mirror never writes one.
- `connection()` says `connected`, `reconnecting` or `offline`, with the pending count.
- `now()` is the server's clock as estimated from `GET /api/v1/time` (skew corrected), so clocks
  on a laptop with a wrong clock still count down correctly.

Callbacks registered with `on_change` may run on any thread (the console should hop to its own).
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import ssl
import threading
import time
import uuid
from collections import deque
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

import httpx
import msgspec

from warroom.domain.errors import CommandError, InvalidInput, NotFound, Refused, RightRequired
from warroom.domain.models import Event
from warroom.domain.policy import Policy
from warroom.domain.structs import convert
from warroom.store.base import AppendResult, Draft, NewDelivery, StoreError
from warroom.store.outbox import Entry, FlushReport, Outbox, Sent, token_identity
from warroom.store.snapshot import Snapshot, SnapshotRow

API = "/api/v1"
PAGE = 5000
"""Events fetched per request when reading the log."""
RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
"""Answers after which a queued command stays queued (the rest are final)."""


class _Page(msgspec.Struct):
    """One answer of `GET /events` (parsed straight from JSON bytes)."""

    events: list[Event]
    last_seq: int


class _SnapshotBody(msgspec.Struct):
    """The answer of `GET /snapshot` (msgpack)."""

    seq: int
    states: list[bytes]


_decode_page = msgspec.json.Decoder(_Page).decode
_decode_snapshot = msgspec.msgpack.Decoder(_SnapshotBody).decode
SNAPSHOT_IDS = 500
"""Most escalations one snapshot request names (the server's limit)."""
_decode_event = msgspec.json.Decoder(Event).decode


class ConnectionState(StrEnum):
    """How the client stands with its server."""

    CONNECTED = "connected"
    RECONNECTING = "reconnecting"
    OFFLINE = "offline"


@dataclass(frozen=True)
class Connection:
    """A snapshot of the connection, for the status line."""

    state: ConnectionState
    pending: int
    """Commands waiting in the outbox for this server."""
    error: str = ""
    """Why the last contact failed (empty when connected)."""
    skew_s: float = 0.0
    """Server clock minus local clock, in seconds."""
    server: str = ""
    attention: int = 0
    """Outbox entries that need someone to act (refused by the server, or stuck on a token)."""

    def describe(self) -> str:
        """`connected`, `reconnecting (3 pending)`, `offline (1 pending): <why>`."""
        text = self.state.value
        if self.pending:
            text += f" ({self.pending} pending)"
        if self.error and self.state is not ConnectionState.CONNECTED:
            text += f": {self.error}"
        if self.attention:
            text += f" ⚠ {self.attention} queued need attention (warroom outbox)"
        return text


class Forbidden(CommandError):
    """The server refused the token for this (a read-only token writing)."""

    exit_code = 3
    http_status = 403


def new_key() -> str:
    """A fresh idempotency key."""
    return uuid.uuid4().hex


def command_error(status: int, body: dict[str, Any]) -> CommandError:
    """Rebuild the domain error the server reported (same class, same message)."""
    message = str(body.get("error") or f"server answered {status}")
    exc: CommandError
    if status == 422 or status == 400:
        field = str(body.get("field") or "input")
        exc = InvalidInput(field, str(body.get("reason") or message))
    elif status == 404:
        exc = NotFound(message)
    elif status == 409:
        exc = Refused(message)
    elif status == 403 and body.get("roles") is not None and body.get("right") != "write":
        exc = RightRequired(str(body.get("right")), list(body.get("roles") or []),
                            dict(body.get("holders") or {}), str(body.get("actor") or "?"))
    elif status == 403:
        exc = Forbidden(message)
    else:
        exc = Refused(message)
    exc.args = (message,)
    return exc


class HttpStore:
    """The Store protocol against a warroom server (reads and watch; commands via the outbox).

    Args:
        url: `http(s)://host:port` of the server.
        token: the bearer token (`warroom token add PERSON` on the server).
        outbox: where commands wait while the server is unreachable.
        timeout: seconds for one request.
        offline_after: seconds of failed contact after which `reconnecting` becomes `offline`.
        backoff: first and longest wait between reconnection attempts, in seconds.
        verify: TLS verification: True (system CAs, or `$SSL_CERT_FILE`), False, or the path
            of a CA bundle (e.g. the server's self-signed certificate).
    """

    def __init__(
        self,
        url: str,
        token: str,
        *,
        outbox: Outbox | None = None,
        timeout: float = 10.0,
        offline_after: float = 10.0,
        backoff: tuple[float, float] = (0.25, 8.0),
        verify: bool | str = True,
        heartbeat: float = 10.0,
    ) -> None:
        self.url = url.rstrip("/")
        self.outbox = outbox if outbox is not None else Outbox()
        self.identity = token_identity(token)
        """The token's fingerprint: queued commands are sent only under the token that queued
        them."""
        self.offline_after = offline_after
        self.backoff = backoff
        self._headers = {"Authorization": f"Bearer {token}", "User-Agent": "warroom"}
        self._verify: bool | ssl.SSLContext = (
            ssl.create_default_context(cafile=verify) if isinstance(verify, str) else verify
        )
        self._timeout = httpx.Timeout(timeout, connect=min(timeout, 3.0))
        self._stream_timeout = httpx.Timeout(timeout, connect=min(timeout, 3.0),
                                             read=max(3 * heartbeat, timeout))
        self._client = httpx.Client(base_url=self.url + API, headers=self._headers,
                                    timeout=self._timeout, verify=self._verify)
        self._lock = threading.Lock()
        self._ok = True
        self._failing_since: float | None = None
        self._error = ""
        self._skew = 0.0
        self._listeners: list[Callable[[Connection], None]] = []
        self._last: Connection | None = None
        self._flush_wake: asyncio.Event | None = None
        self._closed = False

    # -- connection state --

    def now(self) -> datetime:
        """The server's current time (local clock corrected by the measured skew)."""
        return datetime.now(UTC) + timedelta(seconds=self._skew)

    @property
    def skew(self) -> float:
        """Server clock minus local clock, in seconds."""
        return self._skew

    def connection(self) -> Connection:
        """Connected / reconnecting / offline, with the count of commands waiting."""
        with self._lock:
            if self._ok:
                state = ConnectionState.CONNECTED
            elif (self._failing_since is not None
                  and time.monotonic() - self._failing_since >= self.offline_after):
                state = ConnectionState.OFFLINE
            else:
                state = ConnectionState.RECONNECTING
            error = "" if self._ok else self._error
        return Connection(state, self.outbox.count(self.url), error, self._skew, self.url,
                          self.outbox.attention(self.url))

    def on_change(self, callback: Callable[[Connection], None]) -> None:
        """Call `callback(connection)` whenever the state or pending count changes."""
        self._listeners.append(callback)

    def _notify(self) -> None:
        if not self._listeners:
            return
        current = self.connection()
        if current == self._last:
            return
        self._last = current
        for callback in list(self._listeners):
            callback(current)

    def _mark_ok(self) -> None:
        with self._lock:
            self._ok = True
            self._failing_since = None
            self._error = ""
        self._notify()

    def _mark_failed(self, error: str) -> None:
        with self._lock:
            if self._ok or self._failing_since is None:
                self._failing_since = time.monotonic()
            self._ok = False
            self._error = " ".join(error.split()) or "unreachable"
        self._notify()

    def _set_skew(self, t0: float, t1: float, server_ts: float) -> None:
        self._skew = server_ts - (t0 + t1) / 2

    # -- requests --

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """One API request; connection problems become `StoreError` and mark the state."""
        if self._closed:
            raise StoreError(f"{self.url}: client is closed")
        try:
            response = self._client.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            self._mark_failed(f"{type(exc).__name__}: {exc}")
            raise StoreError(f"cannot reach warroom server {self.url}: {exc}") from exc
        if response.status_code >= 500 or response.status_code == 401:
            self._mark_failed(f"{response.status_code} {_message(response)}")
        else:
            self._mark_ok()
        return response

    def get_json(self, path: str, **params: Any) -> Any:
        """GET a JSON document; raises the server's CommandError (404...) or StoreError."""
        response = self.request("GET", path, params={k: v for k, v in params.items()
                                                     if v is not None})
        return _json_or_raise(response, self.url)

    def sync_time(self) -> float:
        """Measure the server's clock skew now; returns it in seconds."""
        t0 = time.time()
        doc = self.get_json("/time")
        self._set_skew(t0, time.time(), float(doc["timestamp"]))
        return self._skew

    def me(self) -> dict[str, Any]:
        """The person the token acts as: `{"person", "read_only", "token_id"}`."""
        doc: dict[str, Any] = self.get_json("/me")
        return doc

    def fetch_policy(self) -> Policy:
        """The policy the server decides under."""
        return convert(self.get_json("/policy"), Policy, strict=False)

    # -- Store protocol --

    def append(self, events: Sequence[Event], *, expect_seq: int | None = None,
               idempotency_key: str | None = None,
               result: dict[str, Any] | None = None,
               deliveries: Sequence[NewDelivery] = ()) -> AppendResult:
        """Not possible: a server decides commands itself (use `RemoteWarRoom.execute`)."""
        raise StoreError("a warroom server takes commands, not raw events")

    def lookup(self, idempotency_key: str) -> AppendResult | None:
        """The stored outcome of a command key, or None."""
        response = self.request("GET", f"/commands/{idempotency_key}")
        if response.status_code == 404:
            return None
        body = _json_or_raise(response, self.url)
        seqs = tuple(body.pop("seqs", ()))
        body.pop("duplicate", None)
        return AppendResult(seqs=seqs, result=body, duplicate=True)

    def read(
        self, since_seq: int = 0, incident_id: str | None = None, limit: int | None = None
    ) -> list[Event]:
        """Events with seq > since_seq (optionally of one incident), in seq order; at most
        `limit` when given."""
        path = "/events" if incident_id is None else f"/escalations/{incident_id}/events"
        out: list[Event] = []
        cursor = since_seq
        while True:
            want = PAGE if limit is None else min(PAGE, limit - len(out))
            response = self.request("GET", path, params={"since": cursor, "limit": want})
            if not response.is_success:
                _json_or_raise(response, self.url)
            try:
                page = _decode_page(response.content).events
            except msgspec.DecodeError as exc:
                raise StoreError(f"{self.url}: unreadable events page: {exc}") from exc
            out.extend(page)
            if len(page) < want or (limit is not None and len(out) >= limit):
                return out
            cursor = page[-1].seq

    def last_seq(self) -> int:
        """The server's highest seq."""
        return int(self.get_json("/events", since=0, limit=0)["last_seq"])

    def read_snapshot(self, version: str, *, open_only: bool = False,
                      ids: Sequence[str] | None = None) -> Snapshot | None:
        """The server's stored snapshot of fold `version` (see `SnapshotStore`); None when it
        keeps none of that version, or `ids` names more than the server answers for."""
        params: dict[str, Any] = {"version": version}
        if open_only:
            params["open_only"] = "true"
        if ids is not None:
            if len(ids) > SNAPSHOT_IDS:
                return None
            params["ids"] = list(ids)
        response = self.request("GET", "/snapshot", params=params)
        if response.status_code == 404:
            return None
        if not response.is_success:
            _json_or_raise(response, self.url)
        try:
            body = _decode_snapshot(response.content)
        except msgspec.DecodeError as exc:
            raise StoreError(f"{self.url}: unreadable snapshot: {exc}") from exc
        return Snapshot(body.seq, body.states)

    def write_snapshot(self, version: str, seq: int, rows: Sequence[SnapshotRow], *,
                       since: int | None) -> bool:
        """Never written from here: the server folds and writes its own (False)."""
        return False

    def drop_snapshot(self) -> None:
        """Nothing to drop: the snapshot is the server's."""

    def save_draft(self, incident_id: str, person: str, body: dict[str, Any],
                   now: datetime) -> None:
        """Keep a draft on the server (always the token's person's; saved at the server's
        time, `now` is not sent)."""
        _json_or_raise(self.request("PUT", f"/escalations/{incident_id}/draft", json=body),
                       self.url)

    def load_draft(self, incident_id: str, person: str) -> Draft | None:
        """The token person's kept draft, if any."""
        response = self.request("GET", f"/escalations/{incident_id}/draft")
        if response.status_code == 404:
            return None
        doc = _json_or_raise(response, self.url)
        return Draft(incident_id=doc["incident_id"], person=doc["person"], body=doc["body"],
                     saved_at=doc["saved_at"])

    def discard_draft(self, incident_id: str, person: str) -> None:
        """Forget the token person's draft."""
        response = self.request("DELETE", f"/escalations/{incident_id}/draft")
        if response.status_code != 204:
            _json_or_raise(response, self.url)

    def close(self) -> None:
        """Close the HTTP client and the outbox."""
        if not self._closed:
            self._closed = True
            self._client.close()
            self.outbox.close()

    # -- commands through the outbox --

    def send(self, entry: Entry) -> Sent:
        """Post one queued command; classify the answer for the outbox."""
        body = dict(entry.command)
        if body.get("at") is None:
            # It happened when the person issued it, not when it finally went out.
            body["at"] = entry.issued_at.isoformat()
        body["idempotency_key"] = entry.key
        try:
            response = self.request("POST", "/commands", json=body)
        except StoreError as exc:
            return Sent("retry", error=str(exc))
        try:
            doc = response.json()
        except ValueError:
            doc = {"error": response.text[:200]}
        if not isinstance(doc, dict):
            doc = {"result": doc}
        if response.status_code == 401:
            return Sent("unauthorized", 401, doc, f"401 {doc.get('error', '')}".strip())
        if response.status_code in RETRY_STATUSES:
            return Sent("retry", response.status_code, doc,
                        f"{response.status_code} {doc.get('error', '')}".strip())
        if response.is_success:
            return Sent("ok", response.status_code, doc)
        return Sent("rejected", response.status_code, doc)

    def flush(self, wait: float = 10.0) -> FlushReport:
        """Send every queued command for this server, in order (see `Outbox.flush`)."""
        report = self.outbox.flush(self.url, self.identity, self.send, wait=wait)
        self._notify()
        return report

    # -- live push --

    async def watch(self, since_seq: int = 0) -> AsyncIterator[list[Event]]:
        """Yield batches of new events as the server pushes them, forever.

        Reconnects with backoff (resuming after the last seq seen, so nothing is missed or
        repeated), keeps the clock skew fresh and flushes the outbox on every reconnect.
        """
        buffer: deque[Event] = deque()
        wake = asyncio.Event()
        self._flush_wake = asyncio.Event()
        follower = asyncio.create_task(self._follow(since_seq, buffer, wake))
        flusher = asyncio.create_task(self._flush_loop(self._flush_wake))
        try:
            while True:
                while not buffer:
                    if follower.done():
                        follower.result()
                        return
                    wake.clear()
                    await wake.wait()
                batch = list(buffer)
                buffer.clear()
                yield batch
        finally:
            for task in (follower, flusher):
                task.cancel()
            for task in (follower, flusher):
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task

    async def _follow(self, since: int, buffer: deque[Event], wake: asyncio.Event) -> None:
        from httpx_sse import aconnect_sse

        last = since
        delay = self.backoff[0]
        async with httpx.AsyncClient(base_url=self.url + API, headers=self._headers,
                                     timeout=self._stream_timeout, verify=self._verify) as client:
            while not self._closed:
                try:
                    t0 = time.time()
                    response = await client.get("/time")
                    if response.status_code == 200:
                        self._set_skew(t0, time.time(), float(response.json()["timestamp"]))
                    headers = {"Last-Event-ID": str(last), "Accept": "text/event-stream"}
                    async with aconnect_sse(client, "GET", "/stream", headers=headers) as source:
                        status = source.response.status_code
                        if status != 200:
                            await source.response.aread()
                            self._mark_failed(f"{status} {_message(source.response)}")
                        else:
                            self._mark_ok()
                            delay = self.backoff[0]
                            if self._flush_wake is not None:
                                self._flush_wake.set()
                            async for sse in source.aiter_sse():
                                if not sse.data:
                                    continue
                                event = _decode_event(sse.data)
                                if event.seq > last:
                                    last = event.seq
                                    buffer.append(event)
                                    wake.set()
                            # The server ended the stream (restart, or we lagged): come back soon.
                except asyncio.CancelledError:
                    raise
                except (httpx.HTTPError, OSError, ValueError, msgspec.DecodeError) as exc:
                    self._mark_failed(f"{type(exc).__name__}: {exc}")
                await asyncio.sleep(delay * random.uniform(0.5, 1.0))
                delay = min(delay * 2, self.backoff[1])

    async def _flush_loop(self, wake: asyncio.Event, every: float = 5.0) -> None:
        """Flush after each reconnect and every few seconds while commands wait."""
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), every)
            wake.clear()
            waiting: int = await asyncio.to_thread(self.outbox.count, self.url)
            if self._ok and waiting:
                await asyncio.to_thread(self.flush, 0.5)
            else:
                self._notify()


def _message(response: httpx.Response) -> str:
    try:
        doc = response.json()
    except ValueError:
        return response.text[:200]
    return str(doc.get("error", "")) if isinstance(doc, dict) else ""


def _json_or_raise(response: httpx.Response, url: str) -> Any:
    """The body of a 2xx answer; otherwise the server's CommandError or a StoreError."""
    try:
        doc = response.json() if response.content else {}
    except ValueError:
        doc = {"error": response.text[:200]}
    if response.is_success:
        return doc
    body = doc if isinstance(doc, dict) else {}
    if response.status_code == 401:
        raise StoreError(f"{url} refused the token ({body.get('error', 'unauthorized')}): "
                         "set WARROOM_TOKEN or remote.token in the config")
    if response.status_code >= 500:
        raise StoreError(f"{url}: server error {response.status_code}: "
                         f"{body.get('error', response.reason_phrase)}")
    raise command_error(response.status_code, body)
