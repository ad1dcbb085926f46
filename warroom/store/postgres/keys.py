"""The PostgreSQL store's small keyed records: drafts, API tokens and status page keys."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from warroom.store.base import Draft, StatusPageKey, StoredToken
from warroom.store.codec import (
    STATUSPAGE_KEY_COLUMNS,
    TOKEN_COLUMNS,
    draft_from_row,
    dumps,
    iso,
    statuspage_key_from_row,
    token_from_row,
)
from warroom.store.postgres.connection import PostgresConnections


class PostgresKeys(PostgresConnections):
    """Drafts (one per incident and person), API tokens (hashes only), status page keys."""

    # -- drafts --

    def save_draft(self, incident_id: str, person: str, body: dict[str, Any],
                   now: datetime) -> None:
        """Keep a draft (one per incident and person), replacing any earlier one."""
        self._execute(
            "INSERT INTO warroom_drafts (incident_id, person, body, saved_at) "
            "VALUES (%s, %s, %s, %s) ON CONFLICT (incident_id, person) DO UPDATE "
            "SET body = excluded.body, saved_at = excluded.saved_at",
            (incident_id, person, dumps(body), iso(now)))

    def load_draft(self, incident_id: str, person: str) -> Draft | None:
        """The kept draft, if any."""
        row = self._fetch_one(
            "SELECT body, saved_at FROM warroom_drafts WHERE incident_id = %s "
            "AND person = %s", (incident_id, person))
        return None if row is None else draft_from_row(incident_id, person, row)

    def discard_draft(self, incident_id: str, person: str) -> None:
        """Forget the draft."""
        self._execute("DELETE FROM warroom_drafts WHERE incident_id = %s AND person = %s",
                      (incident_id, person))

    # -- tokens --

    def add_token(self, token: StoredToken) -> bool:
        """Keep a new token; False (nothing written) when its id is already taken."""
        return self._execute(
            f"INSERT INTO warroom_tokens ({TOKEN_COLUMNS}) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (id) DO NOTHING",
            (token.id, token.person, token.read_only, token.hash, token.created_at,
             token.revoked_at, token.bot)) == 1

    def tokens(self) -> list[StoredToken]:
        """Every token, revoked ones too, oldest first."""
        rows = self._fetch_all(f"SELECT {TOKEN_COLUMNS} FROM warroom_tokens ORDER BY n")
        return [token_from_row(r) for r in rows]

    def find_token(self, ident: str) -> StoredToken | None:
        """The token with this id (revoked or not), or None."""
        row = self._fetch_one(f"SELECT {TOKEN_COLUMNS} FROM warroom_tokens WHERE id = %s",
                              (ident,))
        return None if row is None else token_from_row(row)

    def revoke_tokens(self, ids: Sequence[str], at: str) -> None:
        """Mark these tokens revoked at `at` in one transaction (one statement)."""
        self._execute("UPDATE warroom_tokens SET revoked_at = %s WHERE id = ANY(%s)",
                      (at, list(ids)))

    # -- status page keys --

    def add_statuspage_key(self, customer: str, key_hash: str, now: datetime) -> None:
        """Keep a new key hash for `customer`, revoking any earlier one (one transaction)."""
        at = iso(now)
        with self.transaction("write failed") as cur:
            cur.execute("UPDATE warroom_statuspage_keys SET revoked_at = %s "
                        "WHERE customer = %s AND revoked_at IS NULL", (at, customer))
            cur.execute("INSERT INTO warroom_statuspage_keys (customer, key_hash, created_at) "
                        "VALUES (%s, %s, %s)", (customer, key_hash, at))

    def statuspage_keys(self) -> list[StatusPageKey]:
        """Every status page key, active and revoked, oldest first."""
        rows = self._fetch_all(f"SELECT {STATUSPAGE_KEY_COLUMNS} FROM warroom_statuspage_keys"
                               " ORDER BY created_at, n")
        return [statuspage_key_from_row(r) for r in rows]

    def revoke_statuspage_key(self, customer: str, now: datetime) -> bool:
        """Revoke `customer`'s active key; False when there was none."""
        return self._execute("UPDATE warroom_statuspage_keys SET revoked_at = %s "
                             "WHERE customer = %s AND revoked_at IS NULL",
                             (iso(now), customer)) > 0
