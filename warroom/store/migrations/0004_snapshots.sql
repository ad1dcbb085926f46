-- Schema version 4: a snapshot of folded state, so a process need not fold the whole log on
-- start. Only a cache: the log stays the truth, a snapshot of another fold version is ignored
-- and rewritten, and deleting it loses nothing (`warroom db copy` leaves it behind).

-- One row: the fold version that wrote the snapshot and the seq it is current as of.
CREATE TABLE warroom_snapshot_meta (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    version text NOT NULL,
    seq bigint NOT NULL
);
INSERT INTO warroom_snapshot_meta (only_row, version, seq) VALUES (true, '', 0);

-- One row per escalation: its state (msgpack) and the columns `list` filters on.
CREATE TABLE warroom_snapshots (
    incident_id text PRIMARY KEY,
    closed boolean NOT NULL,
    imported boolean NOT NULL,
    state bytea NOT NULL
);
CREATE INDEX warroom_snapshots_open ON warroom_snapshots (incident_id)
    WHERE NOT closed AND NOT imported;
