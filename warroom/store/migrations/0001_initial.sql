-- warroom on PostgreSQL, schema version 1: the event log, its gap-free counter, command keys,
-- drafts and API tokens. Texts are the same as in the SQLite store (ISO 8601 UTC datetimes,
-- compact JSON payloads), so `warroom db copy` moves rows byte for byte.

CREATE TABLE warroom_events (
    seq bigint PRIMARY KEY,
    incident_id text NOT NULL,
    kind text NOT NULL,
    actor text NOT NULL,
    occurred_at text NOT NULL,
    recorded_at text NOT NULL,
    payload text NOT NULL,
    idempotency_key text
);
CREATE INDEX warroom_events_by_incident ON warroom_events (incident_id, seq);

-- One row: the last seq handed out. Appenders lock it (SELECT ... FOR UPDATE), write their
-- events and move it on in the same transaction, so a rolled-back append leaves no gap (a
-- sequence object would) and appends commit in seq order.
CREATE TABLE warroom_counter (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    last_seq bigint NOT NULL
);
INSERT INTO warroom_counter (only_row, last_seq) VALUES (true, 0);

CREATE TABLE warroom_commands (
    key text PRIMARY KEY,
    seqs text NOT NULL,
    result text NOT NULL
);

CREATE TABLE warroom_drafts (
    incident_id text NOT NULL,
    person text NOT NULL,
    body text NOT NULL,
    saved_at text NOT NULL,
    PRIMARY KEY (incident_id, person)
);

CREATE TABLE warroom_tokens (
    n bigint GENERATED ALWAYS AS IDENTITY,
    id text PRIMARY KEY,
    person text NOT NULL,
    read_only boolean NOT NULL DEFAULT false,
    hash text NOT NULL,
    created_at text NOT NULL,
    revoked_at text
);
