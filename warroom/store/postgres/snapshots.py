"""The PostgreSQL store's snapshot of folded state (see `warroom.store.snapshot`).

`warroom_snapshot_meta` holds one row (fold version, seq), locked by a writer for its short
transaction; `warroom_snapshots` one row per escalation: its encoded state beside the columns
`list` filters on. A reader sees one consistent view (REPEATABLE READ). Writing never touches
the log's counter row, so appends are never held up by it.
"""

from __future__ import annotations

from collections.abc import Sequence

from warroom.store.postgres.connection import PostgresConnections
from warroom.store.snapshot import Snapshot, SnapshotRow

_UPSERT = ("INSERT INTO warroom_snapshots (incident_id, closed, imported, state) "
           "VALUES (%s, %s, %s, %s) ON CONFLICT (incident_id) DO UPDATE SET "
           "closed = excluded.closed, imported = excluded.imported, state = excluded.state")


class PostgresSnapshots(PostgresConnections):
    """The snapshot of folded state: a cache, rebuilt from the log when missing or stale."""

    def read_snapshot(self, version: str, *, open_only: bool = False,
                      ids: Sequence[str] | None = None) -> Snapshot | None:
        """The snapshot written by fold `version`, or None (see `SnapshotStore`)."""
        where, params = "", ()  # type: tuple[str, tuple[object, ...]]
        if open_only:
            where = " WHERE NOT closed AND NOT imported"
        if ids is not None:
            where, params = " WHERE incident_id = ANY(%s)", (list(ids),)
        with self._conn("reading the snapshot failed") as conn, conn.transaction():
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            meta = conn.execute("SELECT version, seq FROM warroom_snapshot_meta").fetchone()
            if meta is None or meta[0] != version:
                return None
            cur = conn.cursor(binary=True)
            rows = cur.execute(f"SELECT state FROM warroom_snapshots{where}", params)
            return Snapshot(int(meta[1]), [bytes(r[0]) for r in rows])

    def write_snapshot(self, version: str, seq: int, rows: Sequence[SnapshotRow], *,
                       since: int | None) -> bool:
        """Store `rows` folded up to `seq` (see `SnapshotStore.write_snapshot`)."""
        with self.transaction("writing the snapshot failed") as cur:
            meta = cur.execute("SELECT version, seq FROM warroom_snapshot_meta "
                               "FOR UPDATE").fetchone()
            stored = -1 if meta is None or meta[0] != version else int(meta[1])
            if stored >= seq:
                return False
            if since is None:
                cur.execute("DELETE FROM warroom_snapshots")
                with cur.copy("COPY warroom_snapshots (incident_id, closed, imported, state) "
                              "FROM STDIN") as copy:
                    for r in rows:
                        copy.write_row((r.incident_id, r.closed, r.imported, r.state))
            elif stored < since:
                return False
            else:
                cur.executemany(_UPSERT, [(r.incident_id, r.closed, r.imported, r.state)
                                          for r in rows])
            cur.execute("UPDATE warroom_snapshot_meta SET version = %s, seq = %s",
                        (version, seq))
        return True

    def drop_snapshot(self) -> None:
        """Delete the snapshot (it is only a cache)."""
        with self.transaction("dropping the snapshot failed") as cur:
            cur.execute("UPDATE warroom_snapshot_meta SET version = '', seq = 0")
            cur.execute("DELETE FROM warroom_snapshots")
