"""Errors and notices in the app's words: its menus, buttons and screens.

Services, the vault and the file readers raise errors with a code, the facts and a
neutral message (:mod:`crmdesk.errors`). Here each code whose neutral message would
leave a person in the app without the next step gets a sentence that names the menu,
button or screen to use; every other code is listed in :data:`NEUTRAL`, and its message
is shown as it is. A new code adds one line here: a wording, or its name in NEUTRAL
(tests/test_error_words.py checks that every code raised has one or the other).

Plain Python, no Qt: :func:`crmdesk.gui.errors.error_text` and the inline messages use it.
"""

from __future__ import annotations

from crmdesk.errors import Worded, in_words

# The unlock dialog's button (gui/vault_flows/unlock.py), shown whenever the vault
# cannot be opened the usual way.
RECOVER = "use your recovery key (choose “Use recovery key…”)"

WORDS: dict[str, str] = {
    # -- the vault and its key
    "vault.exists": "{folder} already holds a crmdesk vault; a new vault never overwrites one. "
    "Choose another folder (Change…).",
    "vault.shared_folder": "{first} Keep the vault on this computer's own disk (move the folder "
    "there, then choose it with “Open an existing vault folder…” when crmdesk starts); to "
    "share it in an office, keep it on one office computer; and have it backed up (Office › "
    "Backup settings…).",
    "passphrase.needed": "This vault is protected by a master passphrase. Type it; if it is "
    f"lost, {RECOVER}.",
    "passphrase.wrong": "That passphrase does not open this vault. Check Caps Lock and try "
    f"again; if it is lost, {RECOVER}.",
    "passphrase.record_damaged": "The vault's metadata file has an unreadable passphrase "
    f"record. Restore vault.json from a backup, or {RECOVER}.",
    "key.missing": "The {keyring} on this computer has no key for this vault (entry {entry}). "
    f"If the vault was moved here or the entry was deleted, {RECOVER}.",
    "key.entry_damaged": "The keyring entry {entry} does not hold a crmdesk key. Replace it: "
    f"{RECOVER}.",
    "key.wrong.keyring": "The key found for this vault does not open it (the keyring entry may "
    f"have been overwritten). To open it, {RECOVER}.",
    "keyring.unavailable.for_vault": "{cause} This vault's key is kept in the OS keyring; "
    f"without it, {RECOVER} and choose a master passphrase to protect it from then on.",
    # -- backups
    "backup.auto.folder_missing": "The automatic backup was not made: the backup folder "
    "{folder} is not there (an unplugged drive?). Connect it, or choose another folder in "
    "Office › Backup settings….",
    "backup.copy_unverified": "The copy of the vault did not verify ({problem}), so no backup "
    "was written. The vault itself may be damaged: keep your earlier backups, and check the "
    "audit trail with Office › Reasonable-measures report….",
    # -- importing
    "import.dates.ambiguous": "{first}; if they are {other_words}, write them as YYYY-MM-DD in "
    "the file and read it again",
    "import.vcard.not_a_card": "Line {line:,} of {file} is not part of a vCard: a vCard file "
    "holds cards from BEGIN:VCARD to END:VCARD. If it is a CSV file, give it a name ending in "
    ".csv and choose it again.",
    "import.mapping.no_name": "{first} Choose “name” for the column that holds it, then “Read "
    "again with this mapping”.",
    "import.mapping.no_name_guessed": "{first} Give the column that holds the name a heading "
    "such as “Name” or “Company” in the file, then choose it again.",
    "import.file_changed": "{file} changed after it was checked (its SHA-256 differs); nothing "
    "was imported. Go back (“< Back”), read it again, then import it.",
    # -- records, people, the gates
    "client.not_found": "There is no client with id {client_id}: it may have been deleted. "
    "Search for it in the client list (Ctrl+F).",
    "user.not_found": "There is no user {login!r} in this vault; Office › Users… lists them.",
    "user.owner_password_first": "Set your own sign-in password first: once a second user "
    "exists, everyone signs in at every unlock. Choose “Set my password…” (or Tools › "
    "Sign-in password…).",
    "signin.password_change_required": "Choose a new password before you continue: the one you "
    "have was set by the owner. Choose Tools › Sign-in password….",
    "policy.not_accepted": "Read and accept the confidentiality policy (version {version}) "
    "before any client information is shown: lock crmdesk (File › Lock) and unlock it, and "
    "it is shown to you.",
    "egress.approval_required": "This {what} holds {count} clients, more than the {limit} the "
    "owner allows without approval. Ask the owner to approve it: they type their login and "
    "password when crmdesk asks.",
    "egress.reading_approval_required": "With this page you would have read out {count} "
    "client rows within the hour, more than the {limit} the owner allows without approval. "
    "Ask the owner to approve it: they type their login and password when crmdesk asks, or "
    "wait until the hour is over.",
    "egress.approval_refused": "The approval was not given: {cause}",
    "policy.no_such_version": "There is no version {version} of the policy: the current one "
    "is version {current}. Read it, then accept it.",
    # -- an office of laptops (gui/sync/, the first-run screen's “Join an office”)
    "sync.no_office": "This vault is not part of an office yet. The owner makes it one with "
    "Office › Make this vault an office…; a laptop joins with the owner's invitation, "
    "choosing “Join an office” when crmdesk starts.",
    "sync.office_exists": "This vault is an office already: the Sync page lists its devices, "
    "and Office › Invite a laptop… adds one.",
    "sync.not_office_vault": "This vault is a laptop of the office: only the office's own "
    "vault invites laptops. Ask the owner to invite this one (Office › Invite a laptop… on "
    "their computer).",
    "sync.invite_unknown_user": "That person is not an enabled user of the office's vault. The "
    "owner adds or enables them first (Office › Users…), then invites their laptop again "
    "(Office › Invite a laptop…).",
    "sync.invitation_expired": "This invitation has expired. Ask the owner for a new one (they "
    "make it with Office › Invite a laptop…), then choose it here again.",
    "sync.invitation_used": "A laptop asked to join with an invitation that was used already, "
    "and was refused: each invitation works once. Make a new one for that laptop (Office › "
    "Invite a laptop…).",
    "sync.join_forged": "A join request in the shared folder does not match any invitation of "
    "this office, so it was refused and changed nothing. If a laptop should join, give it a "
    "new invitation (Office › Invite a laptop…).",
    "sync.not_your_device": "This vault's device belongs to {login}: it syncs only while "
    "{login} is signed in. Lock crmdesk (File › Lock) and let {login} unlock it, then choose "
    "File › Sync now.",
    "sync.device_key_lost": "This device's signing key no longer opens with your key (your keys "
    "were renewed after it joined the office), so it cannot sync. Ask the owner for a new "
    "invitation and join again with it, into a new vault folder (“Join an office” when "
    "crmdesk starts).",
    "sync.no_conflict": "That conflict was settled already, here or on another device. The "
    "list now shows the conflicts still open (Clients › Conflicts…).",
    "sync.no_such_version": "That version is no longer one of the conflict's (another device "
    "settled it or added one). Open the conflicts again (Clients › Conflicts…) and choose "
    "again.",
    "offboard.keys_waiting": "{user}'s account is disabled, but the keys they held are not "
    "changed yet: crmdesk has this vault open in another window or command. Close it there, "
    "then choose Offboard again: it continues where it stopped.",
    # -- Syncthing set up for the office (services/replication/syncthing_setup.py)
    "sync.syncthing_device_bad": "{device!r} is not a Syncthing device ID. Copy it from that "
    "device's Syncthing: its Actions menu, Show ID.",
    "sync.syncthing_device_twice": "Device {device} is listed both as an office device and "
    "as untrusted: list it once, as the one that fits.",
    "sync.syncthing_no_key": "This laptop holds no office key yet, so it cannot share the "
    "folder with an untrusted device. Sync once the owner has synced, then set Syncthing "
    "up again.",
}

# Codes whose neutral message is already right in the app (restoring a backup file,
# ``restore.*``, is the command line's alone today). The codes the command line raises
# itself (``cli.*``) are not listed: no window shows them.
NEUTRAL: frozenset[str] = frozenset(
    [
        "backup.books_changing",
        "backup.books_differ",
        "backup.books_not_held",
        "backup.keys_renewed",
        "backup.owner_only",
        "backup.rotation_under_way",
        "backup.vault_busy",
        "calls.limit_too_small",
        "decoys.address_invalid",
        "recover.not_owner",
        "recover.owner_login_needed",
        "restore.new_password_needed",
        "restore.other_vault",
        "restore.owner_only",
        "restore.password_wrong",
        "restore.not_owner",
        "audit.no_key",
        "book.too_many",
        "key.missing.plain",
        "key.no_main",
        "key.not_held",
        "key.slot_gone",
        "key.tampered",
        "recover.password_needed",
        "upgrade.other_way",
        "upgrade.owner_first",
        "user.disabled",
        "vault.damaged.book",
        "vault.damaged.redo_row",
        "book.not_held",
        "books.too_many",
        "vault.damaged.keys",
        "user.owner_password_needed",
        "audit.broken",
        "audit.head_unreadable",
        "backup.copy_differs",
        "backup.damaged",
        "backup.exists",
        "backup.exists.meanwhile",
        "backup.is_folder",
        "backup.kept_out_of_range",
        "backup.key_changed",
        "backup.newer",
        "backup.not_a_backup",
        "backup.unwritable",
        "backup_folder.inside_vault",
        "backup_folder.missing",
        "backup_folder.unwritable",
        "clients.query_invalid",
        "copy.nothing_selected",
        "days.out_of_range",
        "decoys.count_out_of_range",
        "decoys.domain_invalid",
        "decoys.domain_needed",
        "egress.approver_not_owner",
        "export.cancelled",
        "export.decoys_failed",
        "export.is_folder",
        "export.no_clients",
        "export.no_followups",
        "export.not_found",
        "export.unknown_format",
        "export.unwritable",
        "export_id.typo",
        "file.missing",
        "file.unreadable",
        "folder.missing",
        "import.binary",
        "import.cancelled",
        "import.cannot_read",
        "import.csv.no_header",
        "import.csv.no_rows",
        "import.csv.row_too_long",
        "import.csv.text_after_quote",
        "import.csv.too_many_columns",
        "import.csv.unclosed_quote",
        "import.csv.unreadable_line",
        "import.csv.value_too_long",
        "import.dates.as_asked",
        "import.dates.inferred",
        "import.dates.mixed",
        "import.dates.serial",
        "import.empty",
        "import.encoding.bad",
        "import.encoding.bad_utf8",
        "import.encoding.truncated_utf8",
        "import.encoding.unknown",
        "import.encoding.unknown_name",
        "import.line_too_long",
        "import.mapping.for_vcard",
        "import.mapping.not_json",
        "import.mapping.not_object",
        "import.mapping.not_utf8",
        "import.mapping.too_large",
        "import.mapping.unreadable",
        "import.mapping.unusable",
        "import.mapping.unwritable",
        "import.no_header",
        "import.not_a_file",
        "import.not_contacts",
        "import.not_imported.column",
        "import.not_imported.picture",
        "import.not_imported.property",
        "import.not_text",
        "import.preamble",
        "import.spreadsheet",
        "import.too_many_rows",
        "import.unknown_format",
        "import.vcard.legacy_text",
        "key.rotation_failed.reopen",
        "key.rotation_failed.unchanged",
        "keyring.locked",
        "keyring.unavailable",
        "offboard.self",
        "owner.full_name_missing",
        "passphrase.differ",
        "passphrase.missing",
        "passphrase.needed.rotation",
        "passphrase.wrong.rotation",
        "passphrase.too_short",
        "password.differ",
        "password.too_short",
        "password.unchanged",
        "policy.changed",
        "policy.none",
        "policy.text_invalid",
        "record.conflict",
        "record.invalid",
        "recovery_key.bad_characters",
        "recovery_key.bad_length",
        "recovery_key.missing",
        "recovery_key.other_vault",
        "recovery_key.typo",
        "region.unknown",
        "report.no_companion",
        "report.not_found",
        "report.unwritable",
        "report_id.typo",
        "restore.cannot_place",
        "restore.key_missing",
        "restore.keyring_holds_other_key",
        "restore.keyring_key_other",
        "restore.no_keyring",
        "restore.passphrase_needed",
        "restore.recovery_key_other",
        "restore.target_is_file",
        "restore.target_is_vault",
        "restore.target_not_empty",
        "role.not_allowed",
        "role.unknown",
        "settings.currency_invalid",
        "signin.disabled",
        "signin.required",
        "signin.throttled",
        "signin.wrong",
        "sync.bad_change",
        "sync.bad_device",
        "sync.bad_stamp",
        "sync.clock_ahead",
        "sync.duplicate_stamp",
        "sync.file_exists",
        "sync.file_out_of_line",
        "sync.grant_bad",
        "sync.invitation_bad",
        "sync.join_bad",
        "sync.no_record",
        "syncthing.config_unreadable",
        "syncthing.not_found",
        "syncthing.refused",
        "syncthing.unix_socket",
        "syncthing.unreachable",
        "threshold.not_an_object",
        "threshold.out_of_range",
        "threshold.working_days",
        "threshold.working_hours",
        "trace.empty",
        "trace.id_typo",
        "trace.nothing_matches",
        "trace.unknown_decoy_address",
        "trace.unknown_id",
        "unlock.other_user",
        "unlock.other_vault",
        "user.add_invalid",
        "user.exists",
        "user.owner_disable",
        "user.owner_role",
        "vault.create_failed",
        "vault.damaged.database",
        "vault.damaged.metadata",
        "vault.damaged.no_database",
        "vault.exists.database_only",
        "vault.in_use.elsewhere",
        "vault.in_use.metadata",
        "vault.in_use.rotation",
        "vault.locked",
        "vault.newer.format",
        "vault.newer.schema",
        "vault.none",
        "vault.none.folder",
        "vault.none.metadata",
        "vault.open_timeout",
        "vault.owner_invalid",
    ]
)


def words(item: Worded) -> str:
    """An error or notice as the app says it."""
    return in_words(item, WORDS)
