"""Versioned, forward-only schema migrations, applied in one transaction at open.

The schema version lives in SQLite's ``user_version``. Each migration is a tuple of
single statements (not a script: ``executescript`` would commit half-way).
"""

from __future__ import annotations

from dataclasses import dataclass

from crmdesk.vault import replication_schema


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    description: str
    statements: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Triggers:
    create: tuple[str, ...]
    drop: tuple[str, ...]


# The audit trail's append-only triggers; dropped and made again only by the upgrade that
# reseals old entries' details (crmdesk.services.audit_sealing), in one transaction.
AUDIT_APPEND_ONLY = Triggers(
    create=(
        """CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
               BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END""",
        """CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
               BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END""",
    ),
    drop=(
        "DROP TRIGGER IF EXISTS audit_events_no_update",
        "DROP TRIGGER IF EXISTS audit_events_no_delete",
    ),
)

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
            *AUDIT_APPEND_ONLY.create,
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

_RECORDS = Migration(
    3,
    "client records, their children, summaries for lists and filters, and search",
    (
        # Lists of short values (emails, phones, addresses, tags) are JSON arrays: they
        # are read and written with their client. Money is stored as exact decimal text;
        # integer cents only where SQL sums or sorts.
        """CREATE TABLE clients (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            sort_key TEXT NOT NULL,
            kind TEXT NOT NULL,
            status TEXT NOT NULL,
            industry TEXT NOT NULL DEFAULT '',
            salesperson TEXT NOT NULL DEFAULT '',
            website TEXT NOT NULL DEFAULT '',
            emails TEXT NOT NULL DEFAULT '[]',
            phones TEXT NOT NULL DEFAULT '[]',
            addresses TEXT NOT NULL DEFAULT '[]',
            tags TEXT NOT NULL DEFAULT '[]',
            source TEXT NOT NULL DEFAULT '',
            notes TEXT NOT NULL DEFAULT '',
            version INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            last_contact TEXT,
            last_purchase TEXT,
            spend_12m_cents INTEGER NOT NULL DEFAULT 0,
            next_order TEXT,
            buy_months INTEGER NOT NULL DEFAULT 0
        ) STRICT""",
        "CREATE INDEX clients_sort ON clients (sort_key, id)",
        "CREATE INDEX clients_status ON clients (status, sort_key)",
        "CREATE INDEX clients_salesperson ON clients (salesperson, sort_key)",
        "CREATE INDEX clients_last_contact ON clients (last_contact)",
        "CREATE INDEX clients_spend ON clients (spend_12m_cents)",
        "CREATE INDEX clients_next_order ON clients (next_order)",
        """CREATE TABLE client_tags (
            tag_key TEXT NOT NULL,
            client_id INTEGER NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
            PRIMARY KEY (tag_key, client_id)
        ) STRICT, WITHOUT ROWID""",
        "CREATE INDEX client_tags_client ON client_tags (client_id)",
        """CREATE TABLE contacts (
            id INTEGER PRIMARY KEY,
            client_id INTEGER NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            name TEXT NOT NULL,
            title TEXT NOT NULL DEFAULT '',
            emails TEXT NOT NULL DEFAULT '[]',
            phones TEXT NOT NULL DEFAULT '[]',
            birthday TEXT,
            birthday_md TEXT,
            hobbies TEXT NOT NULL DEFAULT '',
            activities TEXT NOT NULL DEFAULT '',
            education TEXT NOT NULL DEFAULT '',
            memberships TEXT NOT NULL DEFAULT '',
            family TEXT NOT NULL DEFAULT '',
            notes TEXT NOT NULL DEFAULT ''
        ) STRICT""",
        "CREATE INDEX contacts_client ON contacts (client_id, position)",
        "CREATE INDEX contacts_birthday ON contacts (birthday_md)",
        """CREATE TABLE purchases (
            id INTEGER PRIMARY KEY,
            client_id INTEGER NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
            date TEXT NOT NULL,
            notes TEXT NOT NULL DEFAULT '',
            total_cents INTEGER NOT NULL
        ) STRICT""",
        "CREATE INDEX purchases_client ON purchases (client_id, date)",
        """CREATE TABLE purchase_items (
            id INTEGER PRIMARY KEY,
            purchase_id INTEGER NOT NULL REFERENCES purchases (id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            product TEXT NOT NULL,
            quantity TEXT NOT NULL,
            unit_price TEXT NOT NULL,
            discount_percent TEXT NOT NULL DEFAULT '0'
        ) STRICT""",
        "CREATE INDEX purchase_items_purchase ON purchase_items (purchase_id, position)",
        """CREATE TABLE pricing (
            id INTEGER PRIMARY KEY,
            client_id INTEGER NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            product TEXT NOT NULL,
            price TEXT,
            discount_percent TEXT,
            valid_from TEXT,
            valid_to TEXT,
            terms TEXT NOT NULL DEFAULT ''
        ) STRICT""",
        "CREATE INDEX pricing_client ON pricing (client_id, position)",
        """CREATE TABLE preferences (
            id INTEGER PRIMARY KEY,
            client_id INTEGER NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            topic TEXT NOT NULL,
            detail TEXT NOT NULL DEFAULT ''
        ) STRICT""",
        "CREATE INDEX preferences_client ON preferences (client_id, position)",
        """CREATE TABLE seasonal_needs (
            id INTEGER PRIMARY KEY,
            client_id INTEGER NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            months TEXT NOT NULL,
            need TEXT NOT NULL
        ) STRICT""",
        "CREATE INDEX seasonal_needs_client ON seasonal_needs (client_id, position)",
        """CREATE TABLE specifications (
            id INTEGER PRIMARY KEY,
            client_id INTEGER NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            item TEXT NOT NULL,
            detail TEXT NOT NULL DEFAULT ''
        ) STRICT""",
        "CREATE INDEX specifications_client ON specifications (client_id, position)",
        """CREATE TABLE interactions (
            id INTEGER PRIMARY KEY,
            client_id INTEGER NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
            date TEXT NOT NULL,
            kind TEXT NOT NULL,
            contact TEXT NOT NULL DEFAULT '',
            summary TEXT NOT NULL DEFAULT '',
            outcome TEXT NOT NULL DEFAULT ''
        ) STRICT""",
        "CREATE INDEX interactions_client ON interactions (client_id, date)",
        """CREATE TABLE tasks (
            id INTEGER PRIMARY KEY,
            client_id INTEGER NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
            due TEXT NOT NULL,
            title TEXT NOT NULL,
            done INTEGER NOT NULL DEFAULT 0,
            contact TEXT NOT NULL DEFAULT ''
        ) STRICT""",
        "CREATE INDEX tasks_client ON tasks (client_id, due)",
        "CREATE INDEX tasks_open_due ON tasks (due) WHERE done = 0",
        # Full-text search inside the encrypted file. The text is folded (accents and
        # case removed) before it is indexed, so "Zoe" finds "Zoë". Basic and value-added
        # text sit in separate columns so that a role can be limited to the first.
        # Contentless: the index keeps no second copy of the text.
        """CREATE VIRTUAL TABLE client_search USING fts5 (
            name, basic, value_added,
            content = '', contentless_delete = 1,
            tokenize = 'unicode61 remove_diacritics 2',
            prefix = '2 3 4'
        )""",
        # Ranking: a match in the name weighs most, then basic details, then the rest.
        "INSERT INTO client_search (client_search, rank) VALUES ('rank', 'bm25(10.0, 2.0, 1.0)')",
    ),
)

_REPORTS = Migration(
    4,
    "the register of printed reports, for tracing a leaked page",
    (
        """CREATE TABLE reports (
            id TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            title TEXT NOT NULL,
            created_at TEXT NOT NULL,
            login TEXT NOT NULL,
            full_name TEXT NOT NULL,
            client_ids TEXT NOT NULL,
            client_count INTEGER NOT NULL,
            description TEXT NOT NULL DEFAULT '',
            page_count INTEGER NOT NULL,
            sha256 TEXT NOT NULL
        ) STRICT""",
        "CREATE INDEX reports_login ON reports (login, created_at)",
    ),
)

_PEOPLE = Migration(
    5,
    "users and roles, sign-in throttling, confidentiality policy versions and acceptances",
    (
        # Passwords are Argon2id hashes (argon2-cffi's encoded form); never the password.
        """CREATE TABLE users (
            login TEXT PRIMARY KEY COLLATE NOCASE,
            full_name TEXT NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('owner', 'manager', 'salesperson', 'assistant')),
            password_hash TEXT,
            must_change_password INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            created_by TEXT NOT NULL,
            disabled_at TEXT,
            disabled_by TEXT,
            last_signin TEXT
        ) STRICT""",
        # Per login typed, known or not, so that guessing unknown logins is slowed too.
        """CREATE TABLE signin_failures (
            login TEXT PRIMARY KEY COLLATE NOCASE,
            failures INTEGER NOT NULL,
            last_failure TEXT NOT NULL,
            blocked_until TEXT
        ) STRICT""",
        """CREATE TABLE policies (
            version INTEGER PRIMARY KEY,
            text TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            published_at TEXT NOT NULL,
            published_by TEXT NOT NULL
        ) STRICT""",
        """CREATE TABLE policy_acceptances (
            login TEXT NOT NULL COLLATE NOCASE,
            version INTEGER NOT NULL REFERENCES policies (version),
            sha256 TEXT NOT NULL,
            accepted_at TEXT NOT NULL,
            PRIMARY KEY (login, version)
        ) STRICT""",
        # A Salesperson's own clients are found by this column.
        "CREATE INDEX clients_salesperson_nocase ON clients (salesperson COLLATE NOCASE)",
    ),
)

MIGRATIONS = (*MIGRATIONS, _RECORDS, _REPORTS, _PEOPLE)

_EXPORTS = Migration(
    6,
    "the register of exported files and the decoy contacts seeded into them",
    (
        # Like the report register: who exported what, when, and the file's SHA-256.
        """CREATE TABLE exports (
            id TEXT PRIMARY KEY,
            format TEXT NOT NULL,
            created_at TEXT NOT NULL,
            login TEXT NOT NULL,
            full_name TEXT NOT NULL,
            client_ids TEXT NOT NULL,
            client_count INTEGER NOT NULL,
            description TEXT NOT NULL DEFAULT '',
            sha256 TEXT NOT NULL,
            file_name TEXT NOT NULL,
            decoy_count INTEGER NOT NULL DEFAULT 0
        ) STRICT""",
        "CREATE INDEX exports_login ON exports (login, created_at)",
        # Decoys live only here and in the files: never in clients, lists or search.
        """CREATE TABLE decoys (
            id INTEGER PRIMARY KEY,
            export_id TEXT NOT NULL REFERENCES exports (id),
            name TEXT NOT NULL,
            company TEXT NOT NULL,
            email TEXT NOT NULL,
            phone TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL
        ) STRICT""",
        "CREATE UNIQUE INDEX decoys_email ON decoys (email COLLATE NOCASE)",
        "CREATE INDEX decoys_export ON decoys (export_id)",
    ),
)

MIGRATIONS = (*MIGRATIONS, _EXPORTS)

# Schema 7, first part: keys, books, signatures (the second part, VALUE_ADDED_OUT, below).
_KEYS_AND_BOOKS_STATEMENTS: tuple[str, ...] = (
    # A person's current key serial and public keys; NULL for someone who has no key
    # slot yet (a user of a vault upgraded from schema 6 waits for a new password).
    "ALTER TABLE users ADD COLUMN key_serial INTEGER",
    "ALTER TABLE users ADD COLUMN box_public BLOB",
    "ALTER TABLE users ADD COLUMN sign_public BLOB",
    # Every key a person has had, each endorsed: by the owner's signing key (a new
    # user, a role change, a reset password) or by the person's previous key (their
    # own password change). Audit entries name the serial that signed them.
    """CREATE TABLE person_keys (
            login TEXT NOT NULL COLLATE NOCASE,
            serial INTEGER NOT NULL,
            role TEXT NOT NULL,
            box_public BLOB NOT NULL,
            sign_public BLOB NOT NULL,
            endorsed_by TEXT NOT NULL COLLATE NOCASE,
            endorser_serial INTEGER NOT NULL,
            endorsement BLOB NOT NULL,
            created_at TEXT NOT NULL,
            PRIMARY KEY (login, serial)
        ) STRICT""",
    # The books: one per salesperson, and the house book (login NULL).
    """CREATE TABLE books (
            id TEXT PRIMARY KEY,
            login TEXT UNIQUE COLLATE NOCASE,
            created_at TEXT NOT NULL
        ) STRICT""",
    # The public half of each generation of the audit sealing key, endorsed by the
    # owner: value-added details of audit entries are sealed to it.
    """CREATE TABLE audit_keys (
            generation INTEGER PRIMARY KEY,
            public BLOB NOT NULL,
            created_at TEXT NOT NULL,
            endorsed_by TEXT NOT NULL COLLATE NOCASE,
            endorser_serial INTEGER NOT NULL,
            endorsement BLOB NOT NULL
        ) STRICT""",
    # Who signed an entry, with which key, and the Ed25519 signature of its hash.
    "ALTER TABLE audit_events ADD COLUMN signer TEXT",
    "ALTER TABLE audit_events ADD COLUMN key_serial INTEGER",
    "ALTER TABLE audit_events ADD COLUMN sig BLOB",
    # Which book holds a client's value-added information.
    "ALTER TABLE clients ADD COLUMN book_id TEXT NOT NULL DEFAULT 'house'",
    "CREATE INDEX clients_book ON clients (book_id)",
    # A salesperson's clients not in the book the rule gives them (a role change cut
    # short) are found by a seek in this index (client_store/moving.py).
    "CREATE INDEX clients_salesperson_book ON clients (salesperson COLLATE NOCASE, book_id)",
    # The redo log of changes to books (see vault/books.py, RedoSeal): a change of
    # a client's value-added rows, sealed under its book's key, written in the same
    # transaction as the main database's part of the change; and, with no payload, a
    # note that a book may still hold rows of a client that left it (deleted, or
    # moved to another book). Version numbers only grow (AUTOINCREMENT): a book
    # records the last version it applied for each client.
    """CREATE TABLE book_redo (
            version INTEGER PRIMARY KEY AUTOINCREMENT,
            book_id TEXT NOT NULL,
            client_id INTEGER NOT NULL,
            payload BLOB
        ) STRICT""",
    "CREATE INDEX book_redo_book ON book_redo (book_id, client_id)",
)

# The value-added information leaves the main database: it lives in the books (their
# tables are in vault/books.py). Main keeps the basic information: the client row
# without its notes and value-added summaries, tags, contacts' names, titles, emails
# and phones, interactions' date, kind and contact, tasks; and a search index of names
# and basic text only. DROP COLUMN rewrites every row, and secure_delete overwrites
# what it frees.
VALUE_ADDED_OUT: tuple[str, ...] = (
    "DROP INDEX clients_spend",
    "DROP INDEX clients_next_order",
    *(
        f"ALTER TABLE clients DROP COLUMN {column}"
        for column in ("notes", "last_purchase", "spend_12m_cents", "next_order", "buy_months")
    ),
    "DROP INDEX contacts_birthday",
    *(
        f"ALTER TABLE contacts DROP COLUMN {column}"
        for column in (
            "birthday",
            "birthday_md",
            "hobbies",
            "activities",
            "education",
            "memberships",
            "family",
            "notes",
        )
    ),
    "ALTER TABLE interactions DROP COLUMN summary",
    "ALTER TABLE interactions DROP COLUMN outcome",
    "DROP TABLE purchase_items",
    "DROP TABLE purchases",
    "DROP TABLE pricing",
    "DROP TABLE preferences",
    "DROP TABLE seasonal_needs",
    "DROP TABLE specifications",
    "DROP TABLE client_search",
    """CREATE VIRTUAL TABLE client_search USING fts5 (
        name, basic,
        content = '', contentless_delete = 1,
        tokenize = 'unicode61 remove_diacritics 2',
        prefix = '2 3 4'
    )""",
    # A match in the name weighs most; a book's index adds its own rank for the
    # value-added text of the same client (services/client_store/search.py).
    "INSERT INTO client_search (client_search, rank) VALUES ('rank', 'bm25(10.0, 2.0)')",
)

_KEYS_AND_BOOKS = Migration(
    7,
    "each person's keys, books of value-added information, signed audit entries",
    (*_KEYS_AND_BOOKS_STATEMENTS, *VALUE_ADDED_OUT),
)

# Years of audit entries (a million and more) read by range, never by a full scan; and
# the checkpoints that spare a walk of the trail the signatures already checked.
_TRAIL_AT_SCALE = Migration(
    8,
    "audit look-ups by time and person at any length, and signed checkpoints of the trail",
    (
        # Time ranges (the Activity page, reports, alerts) and the per-person counts of a
        # period, read from the index alone.
        "CREATE INDEX audit_events_ts ON audit_events (ts, actor, action)",
        # A person's entries whatever the case of their login (logins compare without
        # case): ``actor = ? COLLATE NOCASE`` seeks in it.
        "CREATE INDEX audit_events_actor_nocase ON audit_events (actor COLLATE NOCASE, ts)",
        # Sign-ins are filed under the login typed, which is also their object.
        """CREATE INDEX audit_events_signin_object ON audit_events (object, ts)
               WHERE action LIKE 'signin.%'""",
        # "Entries 1 to seq verified, entry seq's hash was hash", signed by who verified
        # them (crmdesk.audit.checkpoint). Not part of the trail: rows may be deleted or
        # forged by whoever holds the database key, which only costs a later walk time.
        """CREATE TABLE audit_checkpoints (
            seq INTEGER NOT NULL,
            hash TEXT NOT NULL,
            signed INTEGER NOT NULL,
            unsigned INTEGER NOT NULL,
            first_signed INTEGER,
            made_at TEXT NOT NULL,
            signer TEXT NOT NULL,
            key_serial INTEGER NOT NULL,
            sig BLOB NOT NULL
        ) STRICT""",
        "CREATE INDEX audit_checkpoints_seq ON audit_checkpoints (seq)",
    ),
)

MIGRATIONS = (*MIGRATIONS, _KEYS_AND_BOOKS, _TRAIL_AT_SCALE)

# The trail's entries counted per UTC day, person, action and the login a sign-in is
# filed under, kept by triggers in the transaction that writes the entry (whoever writes
# it: chain.record, a bulk writer, a copy), so that the Activity page counts a period of
# years from whole days instead of reading every entry. Derived data, not evidence: the
# audit check never reads it, and whoever holds the key can edit it, which only misleads
# the page's counts (services/activity.py says which numbers come from it).
# ``day`` is the first ten characters of ``ts`` (its UTC date); ``filed`` is the object of
# a sign-in entry (the login typed, as the Activity page's login filter files it; the
# same LIKE as audit_events_signin_object) and '' for every other entry.
_DAY_KEY = "substr({r}.ts, 1, 10), {r}.actor, {r}.action, {filed}"
_FILED = "CASE WHEN {r}.action LIKE 'signin.%' THEN {r}.object ELSE '' END"


def _day_key(row: str) -> str:
    return _DAY_KEY.format(r=row, filed=_FILED.format(r=row))


_ADD_ONE = (
    "INSERT INTO audit_day_counts (day, actor, action, filed, n)"
    f" VALUES ({_day_key('NEW')}, 1) ON CONFLICT DO UPDATE SET n = n + 1;"
)
_TAKE_ONE = (
    "UPDATE audit_day_counts SET n = n - 1"
    f" WHERE (day, actor, action, filed) = ({_day_key('OLD')});"
)

_DAY_COUNTS = Migration(
    9,
    "the audit trail counted per day, person and action, for the Activity page",
    (
        """CREATE TABLE audit_day_counts (
            day TEXT NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            filed TEXT NOT NULL,
            n INTEGER NOT NULL,
            PRIMARY KEY (day, actor, action, filed)
        ) STRICT, WITHOUT ROWID""",
        "INSERT INTO audit_day_counts (day, actor, action, filed, n)"
        f" SELECT {_day_key('audit_events')}, count(*) FROM audit_events GROUP BY 1, 2, 3, 4",
        f"CREATE TRIGGER audit_day_counts_insert AFTER INSERT ON audit_events BEGIN {_ADD_ONE} END",
        # The trail is append-only (the triggers above refuse both): these keep the counts
        # equal to the entries only when someone who dropped those triggers edits it.
        "CREATE TRIGGER audit_day_counts_delete AFTER DELETE ON audit_events"
        f" BEGIN {_TAKE_ONE} END",
        "CREATE TRIGGER audit_day_counts_update AFTER UPDATE OF ts, actor, action, object"
        f" ON audit_events BEGIN {_TAKE_ONE} {_ADD_ONE} END",
    ),
)

MIGRATIONS = (*MIGRATIONS, _DAY_COUNTS)

_REPLICATION = Migration(
    10,
    "the office's changes as this device received or made them, for syncing laptops",
    (*replication_schema.statements("main"), *replication_schema.MAIN_TABLES),
)

MIGRATIONS = (*MIGRATIONS, _REPLICATION)

LATEST_VERSION = MIGRATIONS[-1].version

# Marks, in vault_info, that a vault of schema 3 to 6 has had its value-added
# information copied into books and dropped from the main database (written in the
# transaction that drops it).
VALUE_ADDED_IN_BOOKS = "value_added_in_books"


def holds_records(version: int) -> bool:
    """Whether a database of this schema may hold client records with their value-added
    information in the main file (schemas 3 to 6, before books)."""
    return _RECORDS.version <= version < _KEYS_AND_BOOKS.version


def pending(
    current: int, target: int = LATEST_VERSION, *, keep_value_added: bool = False
) -> list[Migration]:
    """The migrations that take a database from ``current`` to ``target``, in order.

    With ``keep_value_added``, schema 7 leaves the value-added columns and tables in
    place: a vault upgraded from schema 3 to 6 first copies them into its books (the
    client store's upgrade step), which then drops them with :data:`VALUE_ADDED_OUT`.
    A new vault runs every step in one transaction, so its main file never holds them.
    """
    steps = [m for m in MIGRATIONS if current < m.version <= target]
    if not keep_value_added:
        return steps
    kept = set(VALUE_ADDED_OUT)
    return [
        Migration(m.version, m.description, tuple(s for s in m.statements if s not in kept))
        if m.version == _KEYS_AND_BOOKS.version
        else m
        for m in steps
    ]
