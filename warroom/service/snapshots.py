"""The service's side of a store's snapshot of folded state (`warroom.store.snapshot`): where a
catch-up starts, when the states are written back, and the open escalations a first list needs.

The snapshot is only a cache: one that cannot serve is ignored (the log is folded from the
start) and a failure to write it is not an error.
"""

from __future__ import annotations

from warroom.domain.models import IncidentState
from warroom.domain.reduce import reduce_all
from warroom.store.base import Store, StoreError
from warroom.store.snapshot import FOLD_VERSION, SnapshotStore, decode, encode
from warroom.store.snapshot import load as load_snapshot

SNAPSHOT_AFTER = 2000
"""Events folded past the stored snapshot before the service writes it back (a short
transaction of the escalations they changed)."""


class Snapshots:
    """What a service's folded states owe the store's snapshot: the seq the stored one is
    current as of, the escalations changed since, and when to write it back.

    Args:
        log: the service's store.
        kept: the same store, as the keeper of the snapshot.
    """

    @classmethod
    def of(cls, store: Store) -> Snapshots | None:
        """The bookkeeping for `store`'s snapshot; None when it keeps none (a server's
        mirror)."""
        return cls(store, store) if isinstance(store, SnapshotStore) else None

    def __init__(self, log: Store, kept: SnapshotStore) -> None:
        self.log = log
        self.kept = kept
        self.seq = 0
        """The seq of the stored snapshot the states started from or last wrote."""
        self.changed: set[str] = set()
        """Escalations changed since `seq`."""
        self.next_save = SNAPSHOT_AFTER

    def load(self) -> tuple[dict[str, IncidentState], int] | None:
        """The stored states and their seq, when the store keeps a usable snapshot (another
        fold version's, one that does not decode or one past the log's end is not)."""
        loaded = load_snapshot(self.log)
        if loaded is not None:
            self.seq = loaded[1]
            self.next_save = self.seq + SNAPSHOT_AFTER
        return loaded

    def touched(self, ids: set[str]) -> None:
        """Note escalations folded since the stored snapshot."""
        self.changed |= ids

    def due(self, seq: int) -> bool:
        """The states folded up to `seq` are `SNAPSHOT_AFTER` past the last write."""
        return seq >= self.next_save

    def save(self, states: dict[str, IncidentState], seq: int) -> bool:
        """Write `states` (folded up to `seq`) back: only those changed since the snapshot
        they started from, when the stored one is still that one or newer, else all of them;
        False when nothing was written (nothing new, another process is ahead, or the store
        failed)."""
        if seq <= self.seq:
            return False
        self.next_save = seq + SNAPSHOT_AFTER  # a refused write waits as long
        try:
            written = False
            if self.seq:
                rows = [encode(states[i]) for i in self.changed if i in states]
                written = self.kept.write_snapshot(FOLD_VERSION, seq, rows, since=self.seq)
            if not written:
                rows = [encode(s) for s in states.values()]
                written = self.kept.write_snapshot(FOLD_VERSION, seq, rows, since=None)
        except StoreError:
            return False
        if written:
            self.seq = seq
            self.changed.clear()
        return written

    def open_states(self) -> dict[str, IncidentState] | None:
        """The snapshot's open escalations (and any the log after it touched), folded up to
        date, without keeping them; None when the snapshot cannot serve (none,
        stale, or `SNAPSHOT_AFTER` or more events behind)."""
        try:
            found = self.kept.read_snapshot(FOLD_VERSION, open_only=True)
            if found is None or found.seq > self.log.last_seq():
                return None
            tail = self.log.read(found.seq, limit=SNAPSHOT_AFTER)
            if len(tail) == SNAPSHOT_AFTER:
                return None
            states = decode(found.states, len(found.states))
            missing = sorted({e.incident_id for e in tail} - states.keys())
            if missing:
                more = self.kept.read_snapshot(FOLD_VERSION, ids=missing)
                if more is None or more.seq != found.seq:
                    return None
                states.update(decode(more.states, len(more.states)))
        except (StoreError, ValueError):  # msgspec.DecodeError is a ValueError
            return None
        return reduce_all(tail, states)
