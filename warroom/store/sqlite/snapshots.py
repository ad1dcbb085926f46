"""The SQLite store's snapshot of folded state (see `warroom.store.snapshot`).

`snapshot_meta` holds one row (fold version, seq); `snapshots` one row per escalation: its
encoded state beside the columns `list` filters on, so closed escalations are never decoded for
it. Reads run in one read transaction (a consistent view); writes in one short write
transaction, after the rows were encoded.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from warroom.store.snapshot import Snapshot, SnapshotRow
from warroom.store.sqlite.connection import SqliteConnections

_UPSERT = ("INSERT INTO snapshots (incident_id, closed, imported, state) VALUES (?, ?, ?, ?) "
           "ON CONFLICT (incident_id) DO UPDATE SET closed = excluded.closed, "
           "imported = excluded.imported, state = excluded.state")


class SqliteSnapshots(SqliteConnections):
    """The snapshot of folded state: a cache, rebuilt from the log when missing or stale."""

    def read_snapshot(self, version: str, *, open_only: bool = False,
                      ids: Sequence[str] | None = None) -> Snapshot | None:
        """The snapshot written by fold `version`, or None (see `SnapshotStore`)."""
        where, params = "", ()  # type: tuple[str, tuple[str, ...]]
        if open_only:
            where = " WHERE closed = 0 AND imported = 0"
        if ids is not None:
            params = tuple(ids)
            where = f" WHERE incident_id IN ({','.join('?' * len(params))})"
        with self._read_lock:
            self._check_open()
            conn = self._rconn
            try:
                conn.execute("BEGIN")
                try:
                    meta = conn.execute("SELECT version, seq FROM snapshot_meta").fetchone()
                    if meta is None or meta[0] != version:
                        return None
                    rows = conn.execute(f"SELECT state FROM snapshots{where}", params)
                    return Snapshot(int(meta[1]), [r[0] for r in rows])
                finally:
                    conn.execute("COMMIT")
            except sqlite3.Error as exc:
                raise self._fail(exc, "reading the snapshot failed") from exc

    def write_snapshot(self, version: str, seq: int, rows: Sequence[SnapshotRow], *,
                       since: int | None) -> bool:
        """Store `rows` folded up to `seq` (see `SnapshotStore.write_snapshot`)."""
        encoded = [(r.incident_id, int(r.closed), int(r.imported), r.state) for r in rows]
        with self._transaction("writing the snapshot failed") as conn:
            meta = conn.execute("SELECT version, seq FROM snapshot_meta").fetchone()
            stored = -1 if meta is None or meta[0] != version else int(meta[1])
            if stored >= seq:
                return False
            if since is None:
                conn.execute("DELETE FROM snapshots")
            elif stored < since:
                return False
            conn.executemany(_UPSERT, encoded)
            conn.execute("INSERT INTO snapshot_meta (only_row, version, seq) VALUES (1, ?, ?) "
                         "ON CONFLICT (only_row) DO UPDATE SET version = excluded.version, "
                         "seq = excluded.seq", (version, seq))
        return True

    def drop_snapshot(self) -> None:
        """Delete the snapshot (it is only a cache)."""
        with self._transaction("dropping the snapshot failed") as conn:
            conn.execute("DELETE FROM snapshot_meta")
            conn.execute("DELETE FROM snapshots")
