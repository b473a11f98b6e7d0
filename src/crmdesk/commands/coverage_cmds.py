"""``coverage``: how much of the client list is value-added information, and since when."""

from __future__ import annotations

import argparse

from crmdesk.commands.io import print_json
from crmdesk.commands.unlock import open_session
from crmdesk.domain.classification import COVERAGE_CATEGORIES
from crmdesk.domain.coverage import BookCoverage
from crmdesk.services.coverage import CoverageService

MONTHS_SHOWN = 12  # the text shows the last year; --json has every month


def cmd_coverage(args: argparse.Namespace) -> int:
    with open_session(args) as session:
        book = CoverageService(session).book()
    if args.json:
        print_json(book.to_json())
    else:
        print_book(book)
    return 0


def print_book(book: BookCoverage) -> None:
    total = book.book.clients
    print(f"Coverage of {book.scope} as of {book.as_of.isoformat()}: {total:,} clients")
    if not total:
        return
    anything = book.book.any_value_added
    print(
        f"{anything.text()} hold value-added information; on average "
        f"{book.book.average_held} of {len(COVERAGE_CATEGORIES)} kinds."
    )
    print()
    print(f"{'KIND':<22} {'CLIENTS':>9} {'SHARE':>7}  ON FILE SINCE")
    for c in COVERAGE_CATEGORIES:
        share, since = book.book.shares[c.key], book.since[c.key]
        print(
            f"{c.label:<22} {share.count:>9,} {str(share.percent) + '%':>7}  "
            f"{since.isoformat() if since else '-'}"
        )
    marks = " ".join(f"{c.mark[:7]:>7}" for c in COVERAGE_CATEGORIES)
    print()
    print(f"{'SALESPERSON':<16} {'CLIENTS':>8} {marks}")
    for g in book.by_salesperson:
        shares = " ".join(f"{str(g.shares[c.key].percent) + '%':>7}" for c in COVERAGE_CATEGORIES)
        print(f"{(g.name or '(unassigned)')[:16]:<16} {g.clients:>8,} {shares}")
    if book.months:
        print()
        print(f"{'MONTH':<16} {'CLIENTS':>8} {marks}")
        for m in book.months[-MONTHS_SHOWN:]:
            shares = " ".join(
                f"{str(m.share(c.key).percent) + '%':>7}" for c in COVERAGE_CATEGORIES
            )
            print(f"{m.month:<16} {m.clients:>8,} {shares}")
    if book.gaps:
        print()
        print("MOST BUSINESS, LEAST ON FILE")
        print(f"{'ID':>7}  {'NAME':<32} {'SALES':<10} {'12M SPEND':>12}  MISSING")
        for f in book.gaps:
            missing = ", ".join(c.noun for c in f.coverage.missing())
            print(
                f"{f.client_id:>7}  {f.name[:32]:<32} {f.salesperson[:10]:<10} "
                f"{f.spend_12m:>12,.2f}  {missing}"
            )
