"""Versioned, forward-only schema migrations, applied in one transaction at open.

The schema version lives in SQLite's ``user_version``. Each migration is a tuple of
single statements (not a script: ``executescript`` would commit half-way).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    description: str
    statements: tuple[str, ...]


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "vault identity and the audit trail",
        (
            "CREATE TABLE vault_info (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT",
            """CREATE TABLE audit_events (
                seq INTEGER PRIMARY KEY,
                ts TEXT NOT NULL,
                actor TEXT NOT NULL,
                action TEXT NOT NULL,
                object TEXT NOT NULL DEFAULT '',
                details TEXT NOT NULL DEFAULT '{}',
                prev_hash TEXT NOT NULL,
                hash TEXT NOT NULL
            ) STRICT""",
            # Append-only by default. Someone with the key can drop these triggers; the
            # hash chain is what then shows the edit.
            """CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
               BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END""",
            """CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
               BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END""",
        ),
    ),
    Migration(
        2,
        "audit look-ups by person, action and time",
        (
            "CREATE INDEX audit_events_actor_ts ON audit_events (actor, ts)",
            "CREATE INDEX audit_events_action_ts ON audit_events (action, ts)",
        ),
    ),
)

LATEST_VERSION = MIGRATIONS[-1].version


def pending(current: int, target: int = LATEST_VERSION) -> list[Migration]:
    """The migrations that take a database from ``current`` to ``target``, in order."""
    return [m for m in MIGRATIONS if current < m.version <= target]
