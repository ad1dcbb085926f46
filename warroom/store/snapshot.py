"""Snapshots of folded state: a cache beside the log, so a process need not fold the whole year.

A snapshot holds every escalation's `IncidentState` (msgpack) as it stood at one seq of the log,
plus the *fold version* it was written by. A process starts from the snapshot and folds only
the events after its seq. The log stays the truth: a snapshot of another fold version (or one
that does not decode, or claims a seq past the log's end) is ignored and rebuilt, never trusted;
deleting it loses nothing, and `warroom db copy` leaves it behind (the copy builds its own).

The fold version is `FOLD_FORMAT` plus a hash of the sources that give a state its meaning (the
reducer and the models), so changing either retires every snapshot written before, even if
nobody remembered to bump `FOLD_FORMAT`.

Writing (see `SnapshotStore.write_snapshot`): the snapshot's one watermark moves only forward,
and a writer that started from the snapshot at seq B may write just the escalations changed
after B, as long as the stored watermark is still at or past B (then every escalation it does
not write had no event in between). Otherwise it writes them all.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

import msgspec

import warroom.domain.models as _models
import warroom.domain.reduce as _reduce
from warroom.domain.models import IncidentState
from warroom.gcpause import collector_paused, settle
from warroom.store.base import Store, StoreError

FOLD_FORMAT = 1
"""Bump when folded state changes meaning in a way the source hash below would not see."""


def _fold_version() -> str:
    digest = hashlib.sha256(str(FOLD_FORMAT).encode())
    for module in (_reduce, _models):
        digest.update(Path(str(module.__file__)).read_bytes())
    return f"{FOLD_FORMAT}.{digest.hexdigest()[:16]}"


FOLD_VERSION = _fold_version()
"""The fold version this code writes and accepts."""


@dataclass(frozen=True)
class SnapshotRow:
    """One escalation's folded state, encoded, with the small columns `list` filters on."""

    incident_id: str
    state: bytes
    closed: bool
    imported: bool


@dataclass(frozen=True)
class Snapshot:
    """States (encoded) as they stood once the log's events up to `seq` were folded."""

    seq: int
    states: list[bytes]


@runtime_checkable
class SnapshotStore(Protocol):
    """A store that keeps a snapshot of folded state (SQLite, PostgreSQL; a server's mirror
    does not: its server does the folding)."""

    def read_snapshot(self, version: str, *, open_only: bool = False,
                      ids: Sequence[str] | None = None) -> Snapshot | None:
        """The snapshot written by fold `version` (None: none, or another version's).

        Args:
            open_only: only escalations neither closed nor imported.
            ids: only these escalations.
        """
        ...

    def write_snapshot(self, version: str, seq: int, rows: Sequence[SnapshotRow], *,
                       since: int | None) -> bool:
        """Store `rows`, folded up to `seq`, in one short transaction; False (nothing written)
        when the stored snapshot is already at or past `seq`.

        `since`: the rows hold every escalation changed after this seq, so they may be merged
        into a stored snapshot of the same version whose seq is at least `since` (False
        otherwise). None: the rows are every escalation; they replace whatever is stored.
        """
        ...

    def drop_snapshot(self) -> None:
        """Delete the snapshot (it is only a cache)."""
        ...


_encoder = msgspec.msgpack.Encoder()
_decoder = msgspec.msgpack.Decoder(IncidentState)


def encode(state: IncidentState) -> SnapshotRow:
    """A state as a snapshot row."""
    return SnapshotRow(state.id, _encoder.encode(state), state.closed_at is not None,
                       state.imported)


def decode(blobs: Iterable[bytes], hint: int = 0) -> dict[str, IncidentState]:
    """States by id (`msgspec.DecodeError` for a row that does not decode). The collector is
    held off meanwhile: a state is a few dozen objects, and a year is 10,000 states."""
    out: dict[str, IncidentState] = {}
    with collector_paused(hint * 50):
        for blob in blobs:
            state = _decoder.decode(blob)
            out[state.id] = state
    return out


def load(store: Store) -> tuple[dict[str, IncidentState], int] | None:
    """The states in `store`'s snapshot and the seq they are current as of, when it keeps a
    usable one; None when it keeps none, or one of another fold version, one that does not
    decode, or one past the log's end (fold the log from the start instead)."""
    if not isinstance(store, SnapshotStore):
        return None
    try:
        found = store.read_snapshot(FOLD_VERSION)
        if found is None or found.seq > store.last_seq():
            return None
        states = decode(found.states, len(found.states))
    except (StoreError, ValueError):  # msgspec.DecodeError is a ValueError
        return None
    settle()
    return states, found.seq
