"""Errors and notices in the command line's words: its flags and its commands.

Services, the vault and the file readers raise errors with a code, the facts and a
neutral message (:mod:`crmdesk.errors`). Here each code whose neutral message would
leave a person at the terminal without the next step gets a sentence that names the
flag or command to use; every other code is listed in :data:`NEUTRAL`, and its message
is printed as it is. A new code adds one line here: a wording, or its name in NEUTRAL
(tests/test_error_words.py checks that every code raised has one or the other).

This module imports nothing heavy: ``cli.py`` reaches it on every error.
"""

from __future__ import annotations

from crmdesk.errors import Worded, in_words

RECOVER = "use your recovery key: crmdesk recover"
_ROTATED = (
    "A backup opens with what opened its owner's key slot on the day it was made: the "
    "owner's password or passphrase of that day, or the recovery key, which stays valid "
    "through key rotations unless the owner's own keys were renewed since (crmdesk rekey, "
    "or adding the first colleague): then use the recovery key printed before that: "
    "crmdesk restore FILE --to DIR --recovery-key-stdin."
)
_NEW_NAME = "Choose another name, or add --force to replace it."

WORDS: dict[str, str] = {
    "user.owner_password_needed": "Adding the first colleague locks the vault to passwords: "
    "give your own password on the line after the new user's initial password (or at the "
    "prompt), or sign in with --user and your password.",
    # -- the vault and its key
    "vault.none": "No crmdesk vault in {folder}. Create one with 'crmdesk init --name "
    '"Full Name" --login LOGIN\', or choose the vault folder with --vault DIR (or the '
    "CRMDESK_VAULT variable).",
    "vault.exists": "{folder} already holds a crmdesk vault; init never overwrites one. Choose "
    "another folder with --vault DIR.",
    "vault.shared_folder": "{first} Keep the vault on this computer's own disk (move the folder "
    "there and open it with --vault DIR); to share it in an office, keep it on one office "
    "computer; and make copies with crmdesk backup FILE.",
    "passphrase.needed": "This vault is protected by a master passphrase. Give it at the prompt "
    "or with --passphrase-stdin; if it is lost, use crmdesk recover.",
    "passphrase.needed.rotation": "Changing the key of a passphrase-protected vault needs its "
    "master passphrase: give it at the prompt or with --passphrase-stdin.",
    "passphrase.wrong": "That passphrase does not open this vault. Check Caps Lock and try "
    f"again; if it is lost, {RECOVER}.",
    "passphrase.record_damaged": "The vault's metadata file has an unreadable passphrase "
    f"record. Restore vault.json from a backup, or {RECOVER}.",
    "key.missing": "The {keyring} on this computer has no key for this vault (entry {entry}). "
    f"If the vault was moved here or the entry was deleted, {RECOVER}.",
    "key.entry_damaged": "The keyring entry {entry} does not hold a crmdesk key. Use your "
    "recovery key to replace it: crmdesk recover.",
    "key.wrong.keyring": "The key found for this vault does not open it (the keyring entry may "
    "have been overwritten). Use your recovery key: crmdesk recover.",
    "keyring.unavailable": "{reason}{more} Start your desktop's keyring (on Linux: GNOME Keyring "
    "or KWallet, reached over D-Bus), or use a master passphrase instead (crmdesk init "
    '--name "Full Name" --login LOGIN --passphrase-stdin).',
    "keyring.unavailable.for_vault": "{cause} This vault's key is kept in the OS keyring; "
    "without it, open the vault with your recovery key: crmdesk recover (add "
    "--passphrase-stdin to protect it by a passphrase from then on).",
    # -- backups and restoring them
    "backup.exists": "{path} already exists; a backup never overwrites a file. " + _NEW_NAME,
    "backup.exists.meanwhile": "{path} appeared while the backup was written; it was left as "
    "it is. " + _NEW_NAME,
    "backup.not_a_backup": "{path} is not a crmdesk backup file (it does not begin like one). "
    "Choose the file that crmdesk backup wrote (usually named *{suffix}).",
    "backup.copy_unverified": "The copy of the vault did not verify ({problem}), so no backup "
    "was written. The vault itself may be damaged: run crmdesk audit verify, and keep your "
    "earlier backups.",
    "restore.target_is_vault": "{folder} already holds a crmdesk vault; restore never "
    "overwrites a vault. Restore into a new folder (--to DIR).",
    "restore.target_is_file": "{folder} is a file. Restore into a new folder (--to DIR).",
    "restore.target_not_empty": "{folder} is not empty; restore only fills a new or empty "
    "folder. Choose another folder (--to DIR).",
    "restore.recovery_key_other": "This recovery key does not open this backup: it belongs to "
    "another vault, or the owner's keys were renewed after this backup was made. " + _ROTATED,
    "restore.passphrase_needed": "This backup opens with the vault's passphrase of the day it "
    "was made: give it at the prompt or with --passphrase-stdin, or use the recovery key "
    "(--recovery-key-stdin).",
    "restore.password_wrong": "That password does not open the owner's key slot in this backup: "
    "it takes the owner's password (or passphrase) of the day the backup was made, or the "
    "recovery key (--recovery-key-stdin).",
    "restore.key_missing": "This computer's keyring has no key for this backup's vault. Restore "
    "it with the recovery key: crmdesk restore FILE --to DIR --recovery-key-stdin.",
    "restore.keyring_key_other": "The key in this computer's keyring for this vault does not "
    "open this backup (the vault's keys were renewed since). " + _ROTATED,
    "restore.no_keyring": "{cause} Without a keyring, restore with the recovery key and a new "
    "master passphrase: --recovery-key-stdin with --passphrase-stdin.",
    "restore.keyring_holds_other_key": "This computer's keyring already holds a key for vault "
    "{vault_id} (the vault this backup was made from, whose keys were renewed since), and it "
    "does not open this backup. Restore with --recovery-key-stdin and --passphrase-stdin (the "
    "second line of standard input becomes the restored vault's new master passphrase), or on "
    "another computer.",
    "restore.owner_only": "Only the owner of this backup's vault ({owner}) restores it: sign in "
    "as the owner (--user LOGIN with the owner's password of the backup's day), or give the "
    "recovery key (--recovery-key-stdin).",
    "restore.new_password_needed": "This backup is of a vault with several users: after the "
    "recovery key, the restored vault needs a new password for its owner. Give it on the line "
    "after the recovery key (with --recovery-key-stdin), or at the prompt.",
    "recover.owner_login_needed": "This vault has several users: only its owner recovers it: "
    "crmdesk --user OWNER recover, with the recovery key and then a new password on standard "
    "input (or at the prompts).",
    # -- importing
    "import.dates.ambiguous": "{first}; if they are {other_words}, import with --date-order "
    "{other}",
    "import.vcard.not_a_card": "Line {line:,} of {file} is not part of a vCard: a vCard file "
    "holds cards from BEGIN:VCARD to END:VCARD. If it is a CSV file, import it with "
    "--format csv.",
    "import.mapping.unusable": "The column mapping cannot be used:\n{lines}\nThe file's columns "
    "are: {columns}.\nTargets are: {targets}. Fix the mapping file, or leave --mapping out to "
    "have the columns guessed.",
    "import.mapping.no_name": '{first} Give a mapping file with --mapping, e.g. {{"Customer": '
    '"name"}}.',
    "import.mapping.no_name_guessed": "{first} Give a mapping file with --mapping, e.g. "
    '{{"Customer": "name"}}.',
    "import.file_changed": "{file} changed after it was checked (its SHA-256 differs); nothing "
    "was imported. Check the file again (crmdesk import FILE --dry-run) and then import it.",
    # -- records, people, the gates
    "client.not_found": "There is no client with id {client_id}. Find it with "
    "'crmdesk search NAME'.",
    "user.not_found": "There is no user {login!r} in this vault; crmdesk user list shows them.",
    "user.owner_password_first": "Set your own sign-in password first: once a second user "
    "exists, everyone signs in at every unlock (crmdesk user passwd).",
    "signin.required": "This vault has several users: sign in with --user LOGIN, and give your "
    "password with --password-stdin or the CRMDESK_PASSWORD variable.",
    "signin.password_change_required": "Choose a new password before you continue: the one you "
    "have was set by the owner (crmdesk --user {login} user passwd).",
    "policy.not_accepted": "Read and accept the confidentiality policy (version {version}) "
    "before any client information is shown: crmdesk policy show, then crmdesk policy accept.",
    "egress.approval_required": "This {what} holds {count} clients, more than the {limit} the "
    "owner allows without approval. Ask the owner to approve it: add --approve-as OWNER_LOGIN "
    "and give the owner's password on standard input.",
    "egress.reading_approval_required": "With this page you would have read out {count} "
    "client rows within the hour, more than the {limit} the owner allows without approval. "
    "Ask the owner to approve it: add --approve-as OWNER_LOGIN and give the owner's password "
    "on standard input, or wait until the hour is over.",
    "egress.approval_refused": "The approval was not given: {cause}",
    "policy.no_such_version": "There is no version {version} of the policy: the current one "
    "is version {current}. Read it (crmdesk policy show), then accept it: crmdesk policy "
    "accept --version {current}.",
    "output.exists": "{path} already exists; it is not replaced unless you add --force. "
    "Choose another name, or add --force to replace it.",
    "output.no_folder": "The folder {folder} does not exist. Create it first (mkdir), or "
    "choose another file.",
    "output.is_folder": "{path} is a folder. Give the name of a file to write (-o FILE).",
    # -- an office of laptops: office, join, sync, conflicts
    "sync.no_office": "This vault is not part of an office. The owner makes one: crmdesk "
    "office create --sync-folder DIR; a laptop joins one with the owner's invitation, into "
    "a new vault folder: crmdesk --vault DIR join FILE --sync-folder DIR.",
    "sync.office_exists": "This vault is an office already; crmdesk sync status shows its "
    "devices and shared folder.",
    "sync.not_office_vault": "This vault is a laptop of the office: only the office's own "
    "vault invites laptops. On the office's vault, run crmdesk office invite LOGIN -o FILE.",
    "sync.invite_unknown_user": "There is no enabled user by that login in the office. Add "
    'them first (crmdesk user add LOGIN --name "Full Name" --role salesperson) or enable '
    "them (crmdesk user enable LOGIN), then write their invitation: crmdesk office invite "
    "LOGIN -o FILE.",
    "sync.invitation_bad": "This file is not a crmdesk invitation, or it was damaged on the "
    "way. Ask the owner for a new one (crmdesk office invite LOGIN -o FILE).",
    "sync.invitation_expired": "This invitation for {login} has expired (an invitation is "
    "valid for 7 days). Ask the owner for a new one (crmdesk office invite {login} -o "
    "FILE), then join with it.",
    "sync.invitation_used": "A join request (device {device}) names an invitation that was "
    "used already; an invitation works for one laptop. Write a new one for the laptop that "
    "should join: crmdesk office invite LOGIN -o FILE.",
    "sync.join_forged": "A join request (device {device}) was not written by the holder of "
    "an invitation of this office; it was ignored. If a laptop of yours should join, write "
    "it a new invitation: crmdesk office invite LOGIN -o FILE.",
    "sync.not_your_device": "This vault's device belongs to {login}: only they sync it. "
    "Sign in as them: crmdesk --user {login} sync.",
    "sync.device_key_lost": "This device's signing key does not open with your key (your "
    "keys were renewed since this laptop joined). Ask the owner for a new invitation "
    "(crmdesk office invite LOGIN -o FILE) and join again into a new vault folder: crmdesk "
    "--vault DIR join FILE --sync-folder DIR.",
    "cli.sync.own_file_refused": "This device's own file #{number} in the shared folder was "
    "refused ({cause}); nothing was sent or taken in. This device did not write it that "
    "way: someone or something changed its subfolder devices/{device} of the shared "
    "folder. Tell the office's owner: this device cannot sync until that file is dealt "
    "with.",
    "sync.no_conflict": "That conflict is settled already (here or on another device), or "
    "there is none; crmdesk conflicts lists those left.",
    "sync.no_such_version": "That version is not one of the conflict's. List the conflicts "
    "again (crmdesk conflicts) and give the id in brackets with --keep.",
    "sync.syncthing_device_bad": "{device!r} is not a Syncthing device ID. Copy it from that "
    "device's Syncthing (Actions › Show ID), or from what crmdesk sync setup --syncthing "
    "printed there.",
    "sync.syncthing_device_twice": "Device {device} is given with both --device and "
    "--untrusted-device: give it once, with the one that fits.",
    "sync.syncthing_no_key": "This laptop holds no office key yet, so it cannot share the "
    "folder with an untrusted device. Run crmdesk sync once the owner has synced, then "
    "crmdesk sync setup --syncthing again (--device alone works now).",
    "syncthing.not_found": "Syncthing's configuration was not found (looked in {looked_in}). "
    "Install Syncthing and start it once, or give the folder holding its config.xml with "
    "--config-dir DIR.",
    "syncthing.config_unreadable": "Syncthing's configuration {path} cannot be read, or has "
    "no GUI address and API key. Start Syncthing once so that it writes them, or give "
    "the right folder with --config-dir DIR.",
    "syncthing.unix_socket": "Syncthing's GUI listens on a Unix socket ({path}); crmdesk "
    "needs a TCP address. Set Syncthing's GUI listen address to 127.0.0.1:8384 in its "
    "settings, then run crmdesk sync setup --syncthing again.",
    "syncthing.unreachable": "Syncthing is not answering at {url} ({reason}). Start it (on "
    "Linux: systemctl --user start syncthing), then run crmdesk sync setup --syncthing "
    "again.",
    "syncthing.refused": "Syncthing refused the change (HTTP {status}). Check the device IDs "
    "given with --device and --untrusted-device, and that the config.xml read (--config-dir "
    "DIR) is that of the Syncthing running here.",
    "decoys.domain_needed": "Give the domain for the decoys' email addresses: one you control "
    "and whose mail you read (e.g. --domain example.com), so that mail to a decoy reaches you.",
}

# Codes whose neutral message is already right on the command line (it names no step
# that differs here), and the codes the command line raises itself, in its own words.
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
        "cli.recover.not_owner",
        "cli.recover.owner_needed",
        "cli.restore.live_damaged",
        "cli.restore.no_passphrase",
        "cli.restore.owner_needed",
        "cli.restore.sign_in_live",
        "decoys.address_invalid",
        "recover.not_owner",
        "restore.other_vault",
        "restore.not_owner",
        "audit.no_key",
        "book.too_many",
        "key.missing.plain",
        "key.no_main",
        "key.not_held",
        "key.slot_gone",
        "key.tampered",
        "offboard.keys_waiting",
        "recover.password_needed",
        "upgrade.other_way",
        "upgrade.owner_first",
        "user.disabled",
        "vault.damaged.book",
        "vault.damaged.redo_row",
        "book.not_held",
        "books.too_many",
        "vault.damaged.keys",
        "audit.broken",
        "audit.head_unreadable",
        "backup.auto.folder_missing",
        "backup.copy_differs",
        "backup.damaged",
        "backup.is_folder",
        "backup.kept_out_of_range",
        "backup.key_changed",
        "backup.newer",
        "backup.unwritable",
        "backup_folder.inside_vault",
        "backup_folder.missing",
        "backup_folder.unwritable",
        "cli.conflicts.no_such_version",
        "cli.conflicts.none",
        "cli.join.invitation_unreadable",
        "cli.join.name_needed",
        "cli.sync.folder_unusable",
        "cli.sync_folder_unusable",
        "cli.date_unreadable",
        "cli.days_out_of_range",
        "cli.demo_count_out_of_range",
        "cli.entries_differ",
        "cli.gui_unavailable",
        "cli.import.invalid_rows",
        "cli.import.no_file",
        "cli.import.no_header_mapping",
        "cli.json_invalid",
        "cli.json_not_object",
        "cli.limit_out_of_range",
        "cli.no_terminal",
        "cli.policy.file_unreadable",
        "cli.policy.not_accepted",
        "cli.policy.read_first",
        "cli.search_empty",
        "cli.signin_required",
        "cli.stdin_ended",
        "cli.version_not_whole",
        "clients.query_invalid",
        "copy.nothing_selected",
        "days.out_of_range",
        "decoys.count_out_of_range",
        "decoys.domain_invalid",
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
        "offboard.self",
        "passphrase.too_short",
        "passphrase.wrong.rotation",
        "password.too_short",
        "password.unchanged",
        "policy.changed",
        "policy.none",
        "policy.text_invalid",
        "record.conflict",
        "record.invalid",
        "recovery_key.bad_characters",
        "recovery_key.bad_length",
        "recovery_key.other_vault",
        "recovery_key.typo",
        "region.unknown",
        "report.no_companion",
        "report.not_found",
        "report.unwritable",
        "report_id.typo",
        "restore.cannot_place",
        "role.not_allowed",
        "role.unknown",
        "settings.currency_invalid",
        "signin.disabled",
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
        "sync.join_bad",
        "sync.no_record",
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
        "vault.none.metadata",
        "vault.owner_invalid",
    ]
)


def words(item: Worded) -> str:
    """An error or notice as the command line says it."""
    return in_words(item, WORDS)
