"""What each part of crmdesk may import: the README's "gui / cli -> services -> domain,
vault, audit", written down for every package and top-level module.

Each rule is an allow-list of crmdesk packages plus the third-party packages that belong
to one layer only (Qt to the GUI, SQLCipher to the vault, the keyring to key material,
reportlab and pypdf to reports). A module not covered by any rule fails the test, so a
new package has to say where it stands.
"""

from __future__ import annotations

from dataclasses import dataclass

# Third-party packages that belong to exactly one place.
OWNED_THIRD_PARTY = {
    "PySide6": ("crmdesk.gui",),
    "sqlcipher3": ("crmdesk.vault.connection",),
    "sqlite3": ("crmdesk.vault.connection",),
    "keyring": ("crmdesk.vault.keys.keystore",),
    "reportlab": ("crmdesk.reports",),
    "pypdf": ("crmdesk.reports", "crmdesk.selftest"),
}

LEAVES = ("crmdesk.errors", "crmdesk.files", "crmdesk.resources")


@dataclass(frozen=True, slots=True)
class Rule:
    scope: str  # a package or module: "crmdesk.gui", "crmdesk.cli"
    may_import: tuple[str, ...]  # crmdesk packages or modules (its own scope always)
    why: str


RULES: tuple[Rule, ...] = (
    Rule("crmdesk.domain", ("crmdesk.errors",), "pure Python: no Qt, no SQL, no files"),
    Rule(
        "crmdesk.audit", ("crmdesk.errors",), "the trail's rules; the vault gives it a connection"
    ),
    Rule(
        "crmdesk.vault.keys",
        ("crmdesk.errors", "crmdesk.files", "crmdesk.vault.locks"),
        "key material: never a database, never vault.json",
    ),
    Rule(
        "crmdesk.vault",
        ("crmdesk.audit", *LEAVES),
        "files, keys and the database; no rules about records, no Qt",
    ),
    Rule("crmdesk.io", ("crmdesk.domain", "crmdesk.errors"), "file formats: parsers and writers"),
    Rule(
        "crmdesk.sync",
        LEAVES,
        "change files in a shared folder: encrypted, signed, never rewritten; no database",
    ),
    Rule(
        "crmdesk.reports",
        ("crmdesk.domain", *LEAVES),
        "PDF layout of what services hand over",
    ),
    Rule("crmdesk.demo", ("crmdesk.domain", *LEAVES), "demo records; tables in resources/"),
    Rule(
        "crmdesk.services",
        (
            "crmdesk.domain",
            "crmdesk.vault",
            "crmdesk.audit",
            "crmdesk.io",
            "crmdesk.reports",
            "crmdesk.demo",
            "crmdesk.sync",
            *LEAVES,
        ),
        "the only door to data",
    ),
    Rule(
        "crmdesk.commands",
        ("crmdesk.services", "crmdesk.domain", "crmdesk.errors"),
        "the command line reaches data through services only",
    ),
    Rule(
        "crmdesk.gui",
        ("crmdesk.services", "crmdesk.domain", "crmdesk.errors", "crmdesk.resources"),
        "widgets and models only; data through services",
    ),
    Rule(
        "crmdesk.cli",
        (
            "crmdesk.commands",
            "crmdesk.services",
            "crmdesk.errors",
            "crmdesk.gui.app",
            "crmdesk.selftest",
        ),
        "parses arguments, hands over to a command, the app or the self-test",
    ),
    Rule(
        "crmdesk.selftest",
        ("crmdesk.services", "crmdesk.domain", *LEAVES),
        "checks an installation through the services, as a user would",
    ),
    Rule("crmdesk.__main__", ("crmdesk.cli",), "python -m crmdesk"),
    Rule("crmdesk.errors", (), "a leaf"),
    Rule("crmdesk.files", ("crmdesk.errors",), "a leaf"),
    Rule("crmdesk.resources", (), "a leaf"),
    Rule("crmdesk", (), "the version"),
)


def rule_for(module: str) -> Rule | None:
    """The most specific rule covering ``module``."""
    covering = [r for r in RULES if module == r.scope or module.startswith(r.scope + ".")]
    return max(covering, key=lambda r: len(r.scope)) if covering else None


def in_scope(name: str, scope: str) -> bool:
    return name == scope or name.startswith(scope + ".")
