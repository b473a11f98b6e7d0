"""What an import tells people about the file as a whole: what was not imported (ignored
columns that hold values, properties crmdesk does not keep, photos), a preamble skipped
above the header, the legacy encoding of a vCard's 8-bit text."""

from __future__ import annotations

from crmdesk.errors import Notice
from crmdesk.io.drafts import Draft

_PICTURES = frozenset({"PHOTO", "LOGO", "X-MS-CARDPICTURE"})
_BINARY = frozenset({"SOUND", "KEY"})


class NotImported:
    """Counts what the rows leave out, by column or property, with the first row."""

    def __init__(self, format: str) -> None:  # noqa: A002 - the word people use
        self.format = format
        self.seen: dict[str, tuple[int, int]] = {}  # name -> (count, first row)

    def feed(self, draft: Draft) -> None:
        for name in draft.ignored:
            count, first = self.seen.get(name, (0, draft.row))
            self.seen[name] = (count + 1, first)

    def notices(self) -> list[Notice]:
        found: list[Notice] = []
        row_word = "card" if self.format == "vcf" else "row"
        for name, (count, first) in self.seen.items():
            rows = f"{count:,} {row_word}{'' if count == 1 else 's'}, first {row_word} {first:,}"
            if self.format != "vcf":
                found.append(
                    Notice(
                        f'column "{name}": not imported ({rows}); map it to a field to keep it',
                        "import.not_imported.column",
                        {"column": name, "count": count, "first": first},
                    )
                )
            elif name in _PICTURES:
                found.append(
                    Notice(
                        f"{name}: not imported ({rows}): crmdesk keeps no pictures",
                        "import.not_imported.picture",
                        {"property": name, "count": count, "first": first},
                    )
                )
            else:
                why = "binary data" if name in _BINARY else "crmdesk has no place for it"
                found.append(
                    Notice(
                        f"{name}: not imported ({rows}): {why}",
                        "import.not_imported.property",
                        {"property": name, "count": count, "first": first, "why": why},
                    )
                )
        return found


def preamble_notice(header_row: int, preamble: str) -> Notice:
    return Notice(
        f"the header is row {header_row}: the {header_row - 1} row(s) above it were not "
        f'imported ("{preamble}")',
        "import.preamble",
        {"row": header_row, "preamble": preamble},
    )


def legacy_notice(label: str, line: int) -> Notice:
    return Notice(
        f"8-bit text without a character set (vCard 2.1), first on line {line:,}, was "
        f"read as {label}",
        "import.vcard.legacy_text",
        {"label": label, "line": line},
    )


def no_header_notice(columns: int) -> Notice:
    return Notice(
        f"the file has no header row: its {columns} columns are Column 1 to Column {columns}",
        "import.no_header",
        {"columns": columns},
    )
