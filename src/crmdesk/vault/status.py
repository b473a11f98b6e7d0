"""What ``crmdesk status`` shows about an open vault."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from crmdesk import audit
from crmdesk.errors import Notice
from crmdesk.vault.connection import Connection
from crmdesk.vault.location import sharing_warning
from crmdesk.vault.owner import Owner
from crmdesk.vault.paths import DATABASE_NAME
from crmdesk.vault.protection import Protection, protection
from crmdesk.vault.unlocked import UnlockedVault


@dataclass(frozen=True, slots=True)
class VaultStatus:
    folder: Path
    vault_id: str
    format_version: int
    schema_version: int
    key_storage: Protection
    key_location: str
    owner: Owner
    created_at: str
    table_counts: dict[str, int] = field(default_factory=dict)
    audit_length: int = 0
    audit_head: str = ""
    database_bytes: int = 0
    # Set when the folder is on a network file system or in a cloud-synced folder.
    sharing_warning: Notice | None = None


def vault_status(vault: UnlockedVault) -> VaultStatus:
    """Where, which format, where the key is, counts of records and audit entries."""
    with vault.reading() as conn:
        schema = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'table'"
            " AND name NOT LIKE 'sqlite_%' ORDER BY name"
        ).fetchall()
        virtual = [n for n, sql in schema if sql.upper().startswith("CREATE VIRTUAL")]
        # Record tables only: a virtual table's shadow tables are its internals.
        tables = [
            n
            for n, _ in schema
            if n not in virtual and not any(n.startswith(f"{v}_") for v in virtual)
        ]
        counts = {t: _count(conn, t) for t in tables}
        # The books this person holds: their tables counted with the main ones.
        for schema in sorted(vault.held_books().values()):
            for (name,) in conn.execute(
                f"SELECT name FROM {schema}.sqlite_master WHERE type = 'table'"
                " AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'va_search%'"
                " AND name != 'book_info'"
            ).fetchall():
                counts[name] = counts.get(name, 0) + _count(conn, name, schema)
        info = dict(conn.execute("SELECT key, value FROM vault_info").fetchall())
        head = audit.head(conn)
    return VaultStatus(
        folder=vault.folder,
        vault_id=vault.meta.vault_id,
        format_version=vault.meta.format_version,
        schema_version=vault.schema_version,
        key_storage=protection(vault.keyfile()),
        key_location=vault.key_location(),
        owner=vault.owner,
        created_at=info.get("created_at", vault.meta.created_at),
        table_counts=counts,
        audit_length=head[0] if head else 0,
        audit_head=head[1] if head else "",
        database_bytes=(vault.folder / DATABASE_NAME).stat().st_size,
        sharing_warning=sharing_warning(vault.folder),
    )


def _count(conn: Connection, table: str, schema: str = "main") -> int:
    quoted = '"' + table.replace('"', '""') + '"'  # a name read from the schema, quoted
    return int(conn.execute(f"SELECT count(*) FROM {schema}.{quoted}").fetchone()[0])
