"""The options of ``import`` (handler: import_cmds)."""

from __future__ import annotations

import argparse

from crmdesk.commands.lazy import handlers_in

_run = handlers_in("import_cmds")

# services.imports.Choice and the date orders of services.import_mappings.DateOrder
# (a test checks they match).
ON_DUPLICATE = ("skip", "merge", "import")
DATE_ORDERS = ("dmy", "mdy")


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "import",
        help="import clients from a CSV or vCard file",
        description="Reads the whole file first and shows what it would do (encoding, "
        "delimiter, the column mapping, rows to add, merge and skip with the reasons). "
        "Then everything is imported in one go, or nothing: an error leaves the vault "
        "as it was. Invalid rows and likely duplicates are skipped unless told otherwise.",
    )
    p.add_argument("file", metavar="FILE", help="a .csv or .vcf file")
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
    p.add_argument("--format", choices=("csv", "vcf"), help="default: from the file's content")
    p.add_argument(
        "--on-duplicate",
        choices=list(ON_DUPLICATE),
        default="skip",
        help="a row that looks like an existing client (same email, phone or name): skip it "
        "(default), merge it into that client (fills empty fields, adds emails, phones, "
        "tags and contacts; overwrites nothing), or import it as a new client",
    )
    p.add_argument(
        "--on-invalid",
        choices=("skip", "abort"),
        default="skip",
        help="rows with invalid values: skip them (default) or import nothing",
    )
    p.add_argument(
        "--date-order",
        choices=list(DATE_ORDERS),
        help="how to read dates like 03/04/1975 (default: decided from the file, and said)",
    )
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(handler=_run("cmd_import"))
