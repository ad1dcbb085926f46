"""The SQLite store's small keyed records: drafts, API tokens and status page keys."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from warroom.store.base import Draft, StatusPageKey, StoredToken, StoreError
from warroom.store.codec import (
    STATUSPAGE_KEY_COLUMNS,
    TOKEN_COLUMNS,
    draft_from_row,
    dumps,
    iso,
    statuspage_key_from_row,
    token_from_row,
)
from warroom.store.sqlite.connection import SqliteConnections


class SqliteKeys(SqliteConnections):
    """Drafts (one per incident and person), API tokens (hashes only), status page keys."""

    # -- drafts --

    def save_draft(self, incident_id: str, person: str, body: dict[str, Any],
                   now: datetime) -> None:
        """Keep a draft (one per incident and person), replacing any earlier one."""
        saved_at = iso(now)
        self._write(
            "INSERT INTO drafts (incident_id, person, body, saved_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (incident_id, person) DO UPDATE SET body = excluded.body, "
            "saved_at = excluded.saved_at",
            (incident_id, person, dumps(body), saved_at),
        )

    def load_draft(self, incident_id: str, person: str) -> Draft | None:
        """The kept draft, if any."""
        row = self._read_one(
            "SELECT body, saved_at FROM drafts WHERE incident_id = ? AND person = ?",
            (incident_id, person),
        )
        return None if row is None else draft_from_row(incident_id, person, row)

    def discard_draft(self, incident_id: str, person: str) -> None:
        """Forget the draft."""
        self._write(
            "DELETE FROM drafts WHERE incident_id = ? AND person = ?", (incident_id, person)
        )

    # -- status page keys --

    def add_statuspage_key(self, customer: str, key_hash: str, now: datetime) -> None:
        """Keep a new key hash for `customer`, revoking any earlier one (one transaction)."""
        at = iso(now)
        with self._transaction("write failed") as conn:
            conn.execute("UPDATE statuspage_keys SET revoked_at = ? "
                         "WHERE customer = ? AND revoked_at IS NULL", (at, customer))
            conn.execute("INSERT INTO statuspage_keys (customer, key_hash, created_at) "
                         "VALUES (?, ?, ?)", (customer, key_hash, at))

    def statuspage_keys(self) -> list[StatusPageKey]:
        """Every status page key, active and revoked, oldest first."""
        rows = self._read_all(f"SELECT {STATUSPAGE_KEY_COLUMNS} FROM statuspage_keys "
                              "ORDER BY created_at, rowid")
        return [statuspage_key_from_row(r) for r in rows]

    def revoke_statuspage_key(self, customer: str, now: datetime) -> bool:
        """Revoke `customer`'s active key; False when there was none."""
        cursor = self._write("UPDATE statuspage_keys SET revoked_at = ? "
                             "WHERE customer = ? AND revoked_at IS NULL", (iso(now), customer))
        return cursor.rowcount > 0

    # -- tokens --

    def add_token(self, token: StoredToken) -> bool:
        """Keep a new token; False (nothing written) when its id is already taken."""
        try:
            self._write(
                f"INSERT INTO warroom_tokens ({TOKEN_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (token.id, token.person, int(token.read_only), token.hash, token.created_at,
                 token.revoked_at, int(token.bot)),
            )
        except StoreError as exc:
            if isinstance(exc.__cause__, sqlite3.IntegrityError):
                return False
            raise
        return True

    def tokens(self) -> list[StoredToken]:
        """Every token, revoked ones too, oldest first."""
        rows = self._read_all(f"SELECT {TOKEN_COLUMNS} FROM warroom_tokens ORDER BY rowid")
        return [token_from_row(r) for r in rows]

    def find_token(self, ident: str) -> StoredToken | None:
        """The token with this id (revoked or not), or None."""
        row = self._read_one(f"SELECT {TOKEN_COLUMNS} FROM warroom_tokens WHERE id = ?",
                             (ident,))
        return None if row is None else token_from_row(row)

    def revoke_tokens(self, ids: Sequence[str], at: str) -> None:
        """Mark these tokens revoked at `at` in one transaction."""
        with self._transaction("write failed") as conn:
            conn.executemany("UPDATE warroom_tokens SET revoked_at = ? WHERE id = ?",
                             [(at, i) for i in ids])
