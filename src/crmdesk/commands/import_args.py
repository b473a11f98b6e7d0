"""The options of ``import`` (handler: import_cmds)."""

from __future__ import annotations

import argparse

from crmdesk.commands.lazy import handlers_in

_run = handlers_in("import_cmds")

# services.imports.Choice and the date orders of services.import_mappings.DateOrder
# (a test checks they match).
ON_DUPLICATE = ("skip", "merge", "import")
DATE_ORDERS = ("dmy", "mdy")
ON_INVALID = ("keep", "skip", "abort")


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "import",
        help="import clients from a CSV, vCard or crmdesk JSON Lines file",
        description="Reads the whole file first and shows what it would do (encoding, "
        "delimiter, the column mapping, what is not imported, rows to add, merge, join and "
        "skip with the reasons). Then everything is imported in one go, or nothing: an "
        "error leaves the vault as it was. A value that cannot be read is kept in the "
        "notes, marked; likely duplicates (the same email address) are skipped unless "
        "told otherwise.",
    )
    p.add_argument("file", metavar="FILE", help="a .csv, .vcf or .jsonl file")
    p.add_argument(
        "--dry-run", action="store_true", help="only show what would be imported; change nothing"
    )
    p.add_argument(
        "--mapping",
        metavar="FILE",
        help='a JSON file {"column": "target", ...} saying which column fills which field '
        "(default: guessed from the header)",
    )
    p.add_argument(
        "--save-mapping", metavar="FILE", help="write the mapping used to FILE, to edit and reuse"
    )
    p.add_argument(
        "--format", choices=("csv", "vcf", "json"), help="default: from the file's content"
    )
    p.add_argument(
        "--region",
        metavar="XX",
        help="the country of phone numbers written without + (a two-letter code such as DE "
        "or IN; default: the vault's region, crmdesk settings region)",
    )
    p.add_argument(
        "--encoding",
        metavar="NAME",
        help="the file's text encoding, such as Shift_JIS, GB18030 or Windows-1251 (default: "
        "detected and said); for a vCard, the encoding of text without a CHARSET",
    )
    p.add_argument(
        "--no-header",
        action="store_true",
        help="the CSV file has no header row: its columns are Column 1, Column 2... (give "
        'a mapping: {"Column 1": "name", ...})',
    )
    p.add_argument(
        "--on-duplicate",
        choices=list(ON_DUPLICATE),
        default="skip",
        help="a row with the email address of an existing client (or of an earlier row): "
        "skip it (default), merge it into that client (fills empty fields, adds emails, "
        "phones, tags and contacts; overwrites nothing), or import it as a new client. A "
        "row that shares only a phone number or a name is imported as a new client and "
        "listed",
    )
    p.add_argument(
        "--on-invalid",
        choices=list(ON_INVALID),
        default="keep",
        help="rows with a value that cannot be read (a phone number, an email address, a "
        "date): import them with that value kept in the notes, marked (default), skip "
        "them, or import nothing",
    )
    p.add_argument(
        "--date-order",
        choices=list(DATE_ORDERS),
        help="how to read dates like 03/04/1975 (default: decided from the file, and said)",
    )
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(handler=_run("cmd_import"))
