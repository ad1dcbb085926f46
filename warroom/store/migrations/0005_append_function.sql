-- Schema version 5: an append in one round trip. `warroom_append` does in the server what the
-- client did in eight round trips (BEGIN, lock the counter row, look the key up, insert the
-- events, move the counter on, NOTIFY, keep the key, COMMIT): called as one autocommit
-- statement, it is one transaction, so the guarantees are unchanged: the counter row is locked
-- first (gap-free seqs, appends commit in seq order, and the key and `expect_seq` checks see
-- every earlier append: PL/pgSQL takes a fresh snapshot per statement, after the lock), the
-- command's key is kept with its outcome, and the NOTIFY is delivered on commit.
--
-- Returns one row: `outcome` is 'appended' (`last_seq` the seq before the first new one),
-- 'duplicate' (the key was used: `seqs` and `result` as stored) or 'conflict' (`last_seq` is
-- not `expect_seq`; nothing written). Events come as parallel arrays, in order; deliveries name
-- their event by its 0-based index in them.

CREATE FUNCTION warroom_append(
    expect_seq bigint, command_key text, command_result text,
    incident_ids text[], kinds text[], actors text[], occurred text[], recorded text[],
    payloads text[], event_keys text[],
    delivery_events integer[], delivery_channels text[], delivery_recipients text[],
    delivery_messages text[]
) RETURNS TABLE (outcome text, last_seq bigint, seqs text, result text)
LANGUAGE plpgsql AS $$
DECLARE
    last bigint;
    n integer := coalesce(cardinality(incident_ids), 0);
    kept record;
BEGIN
    SELECT c.last_seq INTO last FROM warroom_counter c FOR UPDATE;
    IF command_key IS NOT NULL THEN
        SELECT k.seqs, k.result INTO kept FROM warroom_commands k WHERE k.key = command_key;
        IF FOUND THEN
            RETURN QUERY SELECT 'duplicate'::text, last, kept.seqs, kept.result;
            RETURN;
        END IF;
    END IF;
    IF expect_seq IS NOT NULL AND last <> expect_seq THEN
        RETURN QUERY SELECT 'conflict'::text, last, NULL::text, NULL::text;
        RETURN;
    END IF;
    IF n > 0 THEN
        INSERT INTO warroom_events (seq, incident_id, kind, actor, occurred_at, recorded_at,
                                    payload, idempotency_key)
        SELECT last + e.i, e.incident_id, e.kind, e.actor, e.occurred_at, e.recorded_at,
               e.payload, e.event_key
        FROM unnest(incident_ids, kinds, actors, occurred, recorded, payloads, event_keys)
             WITH ORDINALITY AS e(incident_id, kind, actor, occurred_at, recorded_at, payload,
                                  event_key, i);
        UPDATE warroom_counter SET last_seq = last + n;
        PERFORM pg_notify('warroom_events', (last + n)::text);
    END IF;
    IF command_key IS NOT NULL THEN
        -- The seqs as the client writes them (json.dumps of a list), byte for byte.
        INSERT INTO warroom_commands (key, seqs, result)
        VALUES (command_key,
                '[' || coalesce((SELECT string_agg(s::text, ', ' ORDER BY s)
                                 FROM generate_series(last + 1, last + n) s), '') || ']',
                command_result);
    END IF;
    IF coalesce(cardinality(delivery_events), 0) > 0 THEN
        INSERT INTO warroom_deliveries (incident_id, seq, channel, recipients, message, due_at,
                                        created_at)
        SELECT incident_ids[d.event + 1], last + 1 + d.event, d.channel, d.recipients,
               d.message, recorded[d.event + 1], recorded[d.event + 1]
        FROM unnest(delivery_events, delivery_channels, delivery_recipients, delivery_messages)
             AS d(event, channel, recipients, message);
    END IF;
    RETURN QUERY SELECT 'appended'::text, last, NULL::text, NULL::text;
END
$$;
