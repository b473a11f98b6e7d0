"""Options several commands share: client filters and paging, the owner's approval.

Light on purpose (see :mod:`crmdesk.commands.lazy`): the choices are written out here
rather than imported from the services; a test checks they match.
"""

from __future__ import annotations

import argparse

# services.client_query.SortKey, in its order.
SORT_KEYS = (
    "relevance",
    "name",
    "status",
    "salesperson",
    "last_contact",
    "spend_12m",
    "next_order",
    "coverage",
)
# domain.classification.COVERAGE_KEYS, in its order: the kinds of value-added information.
COVERAGE_KEYS = (
    "personal_profiles",
    "purchases",
    "pricing",
    "preferences",
    "seasonal_needs",
    "specifications",
    "interactions",
)
# reports.paper.PAPERS.
PAPERS = ("a4", "letter")


def _coverage_key(text: str) -> str:
    return text.strip().lower().replace("-", "_").replace(" ", "_")


def add_filters(p: argparse.ArgumentParser, default_sort: str = "name") -> None:
    f = p.add_argument_group("filters (all given must hold)")
    f.add_argument("--status", choices=("prospect", "active", "former"))
    f.add_argument("--salesperson", metavar="LOGIN")
    f.add_argument("--tag")
    f.add_argument("--buys-in-month", type=int, metavar="M", help="1-12, from history and seasons")
    f.add_argument("--no-contact-days", type=int, metavar="N", help="no interaction for N days")
    f.add_argument("--birthday-within", type=int, metavar="N", help="a contact's birthday soon")
    f.add_argument("--followups-due", action="store_true", help="open tasks due today or earlier")
    f.add_argument(
        "--missing",
        action="append",
        type=_coverage_key,
        choices=COVERAGE_KEYS,
        metavar="KIND",
        help="nothing on file of this kind of information (repeat for several): "
        + ", ".join(COVERAGE_KEYS),
    )
    o = p.add_argument_group("order and paging")
    o.add_argument("--sort", choices=list(SORT_KEYS), default=default_sort)
    o.add_argument("--desc", action="store_true", help="descending order")
    o.add_argument("--limit", type=int, default=50)
    o.add_argument("--offset", type=int, default=0)


def add_paper(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--paper",
        choices=PAPERS,
        help="a4 or letter (default: the paper of your locale)",
    )


def add_approve_as(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--approve-as",
        metavar="OWNER_LOGIN",
        help="the owner approves an output above their threshold: their password is read "
        "from standard input (after your own, if --password-stdin) or asked for",
    )
