-- Schema version 3: bot tokens, for monitoring that sends alerts (they may open escalations
-- and annotate them, nothing else).

ALTER TABLE warroom_tokens ADD COLUMN bot boolean NOT NULL DEFAULT false;
