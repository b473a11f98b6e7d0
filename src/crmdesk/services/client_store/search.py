"""The full-text index of client records (FTS5): what goes in, and how it is asked.

Each client has one row (rowid = client id) with three columns: the folded name, the
basic information, and the value-added text. Someone limited to basics searches the
first two only, so that a hit never reveals a trade secret.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from crmdesk.domain import Client, fold
from crmdesk.domain.roles import Visibility
from crmdesk.services.client_query import Scope

from .tables import CLIENT_SEARCH, CLIENTS

INSERT_SQL = f"INSERT INTO {CLIENT_SEARCH} (rowid, name, basic, value_added) VALUES (?, ?, ?, ?)"
DELETE_SQL = f"DELETE FROM {CLIENT_SEARCH} WHERE rowid = ?"

# Ranking costs about 2 ms per thousand hits; above this many, only name matches are
# ranked (search-as-you-type stays under 50 ms on 100,000 clients, see benchmarks/).
RANK_ALL_LIMIT = 10_000


def search_document(client: Client) -> tuple[str, str, str]:
    """The folded text of a client for the search index: name, basic, value-added."""
    basic: list[str] = [client.industry, client.salesperson, client.website, client.source]
    basic += client.emails + client.phones + client.tags
    for a in client.addresses:
        basic += [a.street, a.city, a.region, a.postal_code, a.country]
    value_added: list[str] = [client.notes]
    for c in client.contacts:
        basic += [c.name, c.title, *c.emails, *c.phones]
        p = c.personal
        value_added += [p.hobbies, p.activities, p.education, p.memberships, p.family, c.notes]
    for purchase in client.purchases:
        value_added += [purchase.notes, *(item.product for item in purchase.items)]
    value_added += [f"{p.product} {p.terms}" for p in client.pricing]
    value_added += [f"{p.topic} {p.detail}" for p in client.preferences]
    value_added += [n.need for n in client.seasonal_needs]
    value_added += [f"{s.item} {s.detail}" for s in client.specifications]
    for i in client.interactions:
        basic += [i.kind, i.contact]
        value_added += [i.summary, i.outcome]
    basic += [f"{t.title} {t.contact}" for t in client.tasks]

    def joined(parts: Sequence[str]) -> str:
        # Products repeat across purchases: index each distinct text once.
        return fold(" ".join(dict.fromkeys(p for p in parts if p)))

    return fold(client.name), joined(basic), joined(value_added)


_WORD = re.compile(r"\w+", re.UNICODE)


def fts_expression(text: str) -> str | None:
    """A safe FTS5 query from what a person typed: every word, as a prefix, must match.

    Words are folded like the index (``Zoë`` -> ``zoe``) and quoted, so FTS5 syntax in
    the input (``OR``, ``NEAR``, ``*``, quotes, column filters) is searched as plain text.
    """
    words = _WORD.findall(fold(text))
    if not words:
        return None
    return " ".join(f'"{w}"*' for w in words[:16])


def basic_expression(expression: str) -> str:
    """The search limited to the name and basic-information columns."""
    return f"{{name basic}} : ({expression})"


def owned(scope: Scope, alias: str = "c") -> tuple[str, list[str]]:
    """An SQL condition (and its parameters) true for the clients seen in full."""
    if scope.visibility is Visibility.ALL:
        return "1", []
    if scope.visibility is Visibility.BASIC or not scope.names:
        return "0", []
    marks = ", ".join("?" for _ in scope.names)
    return f"{alias}.salesperson COLLATE NOCASE IN ({marks})", list(scope.names)


def search_condition(expression: str, scope: Scope) -> tuple[str, str, list[Any], bool]:
    """FROM, a condition and its parameters for search text within a scope.

    The last value says whether the FTS alias ``s`` (and its rank) is available. Someone
    limited to basics searches only the name and basic columns, so a hit never reveals
    value-added text; a Salesperson searches everything of their own clients.
    """
    joined = f"{CLIENT_SEARCH} s JOIN {CLIENTS} c ON c.id = s.rowid"
    if scope.visibility is Visibility.ALL:
        return joined, f"s.{CLIENT_SEARCH} MATCH ?", [expression], True
    basic = basic_expression(expression)
    if scope.visibility is Visibility.BASIC or not scope.names:
        return joined, f"s.{CLIENT_SEARCH} MATCH ?", [basic], True
    own, names = owned(scope, "o")
    condition = (
        f"c.id IN (SELECT rowid FROM {CLIENT_SEARCH} WHERE {CLIENT_SEARCH} MATCH ?"
        f" UNION SELECT rowid FROM {CLIENT_SEARCH} WHERE {CLIENT_SEARCH} MATCH ? AND rowid IN"
        f" (SELECT o.id FROM {CLIENTS} o WHERE {own}))"
    )
    return f"{CLIENTS} c", condition, [basic, expression, *names], False


def fts_only(expression: str | None, scope: Scope) -> str | None:
    """The FTS5 query that alone answers a text-only search in this scope, if one does."""
    if not expression or scope.visibility is Visibility.ASSIGNED:
        return None
    return expression if scope.visibility is Visibility.ALL else basic_expression(expression)


def ranked_ids(conn: Any, expression: str, limit: int, offset: int) -> list[int]:
    """The ids of one page of search hits, best first.

    Few hits: all are ranked (name, then basic details, then value-added text). Many
    hits (a short prefix): hits in the name come first, ranked; the others follow in
    the order they were added.
    """
    hits = fts_count(conn, expression)
    match = f"SELECT rowid FROM {CLIENT_SEARCH} WHERE {CLIENT_SEARCH} MATCH ?"
    if hits <= RANK_ALL_LIMIT:
        sql = f"{match} ORDER BY rank LIMIT ? OFFSET ?"
        return [r[0] for r in conn.execute(sql, (expression, limit, offset))]
    in_name = f"{{name}} : ({expression})"
    name_hits = fts_count(conn, in_name)
    ids: list[int] = []
    if offset < name_hits:
        sql = f"{match} ORDER BY rank LIMIT ? OFFSET ?"
        ids = [r[0] for r in conn.execute(sql, (in_name, limit, offset))]
    if len(ids) < limit:
        ids += [
            r[0]
            for r in conn.execute(
                f"{match} AND rowid NOT IN ({match}) ORDER BY rowid LIMIT ? OFFSET ?",
                (expression, in_name, limit - len(ids), max(0, offset - name_hits)),
            )
        ]
    return ids


def fts_count(conn: Any, expression: str) -> int:
    sql = f"SELECT count(*) FROM {CLIENT_SEARCH} WHERE {CLIENT_SEARCH} MATCH ?"
    return int(conn.execute(sql, (expression,)).fetchone()[0])
