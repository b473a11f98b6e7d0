"""The full-text indexes of client records (FTS5): what goes in, and how they are asked.

The main database indexes each client's folded name and basic text (rowid = client
id); each book indexes the value-added text of its clients. A search runs over the main
index and the indexes of the books the person holds and may use, nothing else: no
ranking, count or timing depends on text of a book they cannot open, and someone limited
to basics searches the main index only.

Every word typed must match, as a prefix, somewhere in the client's text: in the main
index or in its book's (one word in the name and another in the notes is a hit). The
rank of a client is the sum of the main index's bm25 and its book's bm25 for the whole
query, each counted where all the words are found in that index; a client found only by
combining the two comes after those.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from crmdesk.domain import Client, fold
from crmdesk.domain.roles import Visibility
from crmdesk.services.client_query import Scope

from .tables import BOOK_SEARCH, CLIENT_SEARCH, CLIENTS

INSERT_SQL = f"INSERT INTO main.{CLIENT_SEARCH} (rowid, name, basic) VALUES (?, ?, ?)"
DELETE_SQL = f"DELETE FROM main.{CLIENT_SEARCH} WHERE rowid = ?"

# Ranking costs 2 to 6 ms per thousand hits (the main index's most: two columns); above
# this many hits over the indexes (of the word with the fewest, for several words: no
# more clients can be found), only name matches are ranked, and those only up to
# NAME_RANK_LIMIT (search-as-you-type stays under 50 ms on 100,000 clients over ten
# books, see benchmarks/books.py).
RANK_ALL_LIMIT = 5_000
NAME_RANK_LIMIT = 2_000


def search_document(client: Client) -> tuple[str, str, str]:
    """The folded text of a client for the search indexes: name, basic, value-added.

    The value-added text of a book's index is made from the stored rows
    (value_added.ValueAdded.text), with the same words.
    """
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


def fts_words(text: str) -> list[str]:
    """Each word typed as a safe FTS5 query: folded like the index (``Zoë`` -> ``zoe``),
    quoted (FTS5 syntax in the input, ``OR``, ``NEAR``, ``*``, quotes, column filters, is
    searched as plain text), and as a prefix."""
    return [f'"{w}"*' for w in _WORD.findall(fold(text))[:16]]


def fts_expression(text: str) -> str | None:
    """A safe FTS5 query from what a person typed: every word, as a prefix, must match."""
    words = fts_words(text)
    return " ".join(words) if words else None


def owned(scope: Scope, alias: str = "c") -> tuple[str, list[str]]:
    """An SQL condition (and its parameters) true for the clients seen in full."""
    if scope.visibility is Visibility.ALL:
        return "1", []
    if scope.visibility is Visibility.BASIC or not scope.names:
        return "0", []
    marks = ", ".join("?" for _ in scope.names)
    return f"{alias}.salesperson COLLATE NOCASE IN ({marks})", list(scope.names)


def usable_books(held: dict[str, str], scope: Scope) -> dict[str, str]:
    """The held books (id -> schema) whose value-added information this scope may use:
    every held one, or none for someone limited to basics."""
    if scope.visibility is Visibility.BASIC or (
        scope.visibility is Visibility.ASSIGNED and not scope.names
    ):
        return {}
    return dict(held)


@dataclass(slots=True)
class Sql:
    """A piece of SQL and its parameters, in the order they appear."""

    text: str
    params: list[Any] = field(default_factory=list)


@dataclass(slots=True)
class TextSearch:
    """One search over the main index and the usable books' indexes.

    One word: each index is asked for it, in SQL (a union of one query per index). More
    words: a client is found when every word matches in the main index or in its
    book's, so each word's hits are gathered from every index and intersected, the word
    with the fewest hits first; the rank then comes from each index's own AND of all
    the words.
    """

    words: list[str]
    books: dict[str, str]  # book id -> schema
    own: str = "1"  # a condition on the client ``c``: whose value-added text may match
    own_params: list[Any] = field(default_factory=list)
    counted: list[tuple[int, str]] | None = field(  # _by_hits, once asked
        default=None, init=False, repr=False, compare=False
    )

    @classmethod
    def make(cls, text: str, held: dict[str, str], scope: Scope) -> TextSearch | None:
        words = fts_words(text)
        if not words:
            return None
        own, names = owned(scope)
        return cls(words, usable_books(held, scope), own, names)

    @property
    def expression(self) -> str:
        return " ".join(self.words)

    def arms(self, expression: str, ranked: bool = True) -> list[Sql]:
        """SELECTs of (id, r): the clients matching ``expression`` in the main index, then
        in each usable book's (its rows of clients now in that book only), with rank."""
        main_cols = "rowid AS id, rank AS r" if ranked else "rowid AS id"
        book_cols = "v.rowid AS id, v.rank AS r" if ranked else "v.rowid AS id"
        found = [
            Sql(
                f"SELECT {main_cols} FROM main.{CLIENT_SEARCH} WHERE {CLIENT_SEARCH} MATCH ?",
                [expression],
            )
        ]
        own = Sql("" if self.own == "1" else f" AND {self.own}", list(self.own_params))
        for book_id, schema in sorted(self.books.items()):
            # CROSS JOIN keeps the index's hits as the outer loop: driven from the
            # clients, SQLite would ask the index for one rowid at a time, and a prefix
            # query asked that way costs milliseconds a row.
            found.append(
                Sql(
                    f"SELECT {book_cols} FROM {schema}.{BOOK_SEARCH} v"
                    f" CROSS JOIN main.{CLIENTS} c ON c.id = v.rowid AND c.book_id = ?"
                    f" WHERE v.{BOOK_SEARCH} MATCH ?{own.text}",
                    [book_id, expression, *own.params],
                )
            )
        return found

    @staticmethod
    def _union(arms: list[Sql], keyword: str = "UNION ALL") -> Sql:
        return Sql(f" {keyword} ".join(a.text for a in arms), [p for a in arms for p in a.params])

    def _hits(self, conn: Any, word: str, limit: int) -> int:
        """How many hits ``word`` has over the indexes (a client found in two counts
        twice), counted only as far as ``limit`` + 1."""
        total = 0
        tables = [(f"main.{CLIENT_SEARCH}", CLIENT_SEARCH)]
        tables += [(f"{schema}.{BOOK_SEARCH}", BOOK_SEARCH) for schema in self.books.values()]
        for table, name in tables:
            sql = f"SELECT count(*) FROM (SELECT 1 FROM {table} WHERE {name} MATCH ? LIMIT ?)"
            total += int(conn.execute(sql, (word, limit - total + 1)).fetchone()[0])
            if total > limit:
                break
        return total

    def _by_hits(self, conn: Any) -> list[tuple[int, str]]:
        """Each word with its hits (counted up to RANK_ALL_LIMIT + 1), fewest first; among
        words past the limit, the longest first (the most selective prefix, usually)."""
        if self.counted is None:
            counted = [(self._hits(conn, w, RANK_ALL_LIMIT), -len(w), w) for w in self.words]
            self.counted = [(hits, word) for hits, _, word in sorted(counted)]
        return self.counted

    def _intersect(self, words: list[str], *, streamed: bool = False) -> Sql:
        """The ids of the clients found by a search of several words: each word's hits
        in every index, intersected, all inside SQLite.

        The first of ``words`` (the one with the fewest hits) is gathered first, and each
        later word's hits are tested against it before anything else is looked up. With
        ``streamed`` (many hits, a page wanted in id order) the words are intersected as
        they come instead, merged a row at a time.
        """
        if streamed:
            parts = []
            for word in words:
                hits = self._union(self.arms(word, ranked=False))
                parts.append(Sql(f"SELECT id FROM ({hits.text})", hits.params))
            return self._union(parts, "INTERSECT")
        first = self._union(self.arms(words[0], ranked=False))
        parts = [Sql("SELECT id FROM w0")]
        for word in words[1:]:
            arms = [
                # "+": a test on each hit, never a rowid handed to the index (see arms).
                Sql(f"{a.text} AND +{'v.' if n else ''}rowid IN w0", a.params)
                for n, a in enumerate(self.arms(word, ranked=False))
            ]
            hits = self._union(arms)
            parts.append(Sql(f"SELECT id FROM ({hits.text})", hits.params))
        rest = self._union(parts, "INTERSECT")
        return Sql(
            f"WITH w0 AS MATERIALIZED ({first.text}) {rest.text}", [*first.params, *rest.params]
        )

    def _found(self, conn: Any, *, distinct: bool = False) -> Sql:
        """A SELECT of the ids of every client found (with repeats unless ``distinct``
        or several words)."""
        if len(self.words) > 1:
            return self._intersect([w for _, w in self._by_hits(conn)])
        return self._union(
            self.arms(self.expression, ranked=False), "UNION" if distinct else "UNION ALL"
        )

    def member(self, conn: Any) -> Sql:
        """A condition on the client ``c``: found by this search."""
        found = self._found(conn)
        return Sql(f"c.id IN ({found.text})", found.params)

    def scored(self, conn: Any) -> Sql:
        """A SELECT of (id, score) of every client found; the lower the score the better.
        Several words: the rank of each index where all of them are found."""
        ranked = self._union(self.arms(self.expression))
        if len(self.words) == 1:
            return Sql(
                f"SELECT id, sum(r) AS score FROM ({ranked.text}) GROUP BY id", ranked.params
            )
        # The hits of the AND in one index are all among those found.
        found = self._found(conn)
        return Sql(
            f"SELECT id, sum(r) AS score FROM (SELECT id, 0 AS r FROM ({found.text})"
            f" UNION ALL {ranked.text}) GROUP BY id",
            [*found.params, *ranked.params],
        )

    def count(self, conn: Any) -> int:
        """How many clients are found."""
        found = self._found(conn, distinct=True)
        return int(conn.execute(f"SELECT count(*) FROM ({found.text})", found.params).fetchone()[0])

    def ranked_ids(self, conn: Any, limit: int, offset: int) -> list[int]:
        """The ids of one page of hits, best first.

        Few hits: all are ranked. Many hits (a short prefix): hits in the name come first
        (ranked, unless they too are many), the others follow in the order they were added.
        """
        # Several words: ranked in full when every word has few hits (ranking reads
        # each word's hits, in every index).
        by_hits = self._by_hits(conn)
        if by_hits[-1][0] <= RANK_ALL_LIMIT:
            scored = self.scored(conn)
            sql = f"SELECT id FROM ({scored.text}) ORDER BY score, id LIMIT ? OFFSET ?"
            return [r[0] for r in conn.execute(sql, [*scored.params, limit, offset])]
        in_name = f"{{name}} : ({self.expression})"
        name_hits = _fts_count(conn, f"main.{CLIENT_SEARCH}", CLIENT_SEARCH, in_name)
        ids: list[int] = []
        match = f"SELECT rowid FROM main.{CLIENT_SEARCH} WHERE {CLIENT_SEARCH} MATCH ?"
        if offset < name_hits:
            order = "rank" if name_hits <= NAME_RANK_LIMIT else "rowid"
            sql = f"{match} ORDER BY {order} LIMIT ? OFFSET ?"
            ids = [r[0] for r in conn.execute(sql, (in_name, limit, offset))]
        if len(ids) < limit:
            rest = self._rest(in_name, by_hits)
            ids += [
                r[0]
                for r in conn.execute(
                    rest.text, [*rest.params, limit - len(ids), max(0, offset - name_hits)]
                )
            ]
        return ids

    def _rest(self, in_name: str, by_hits: list[tuple[int, str]]) -> Sql:
        """The hits not in the name, by id: a merge of each index's hits in rowid order."""
        named = f"SELECT rowid FROM main.{CLIENT_SEARCH} WHERE {CLIENT_SEARCH} MATCH ?"
        if len(self.words) > 1:
            # Compound SELECTs ordered by id are merged a row at a time: a page of the
            # first ids costs little however many clients match.
            found = self._intersect([w for _, w in by_hits], streamed=True)
            return Sql(
                f"{found.text} EXCEPT {named} ORDER BY 1 LIMIT ? OFFSET ?",
                [*found.params, in_name],
            )
        arms = [
            Sql(
                f"SELECT rowid AS id FROM main.{CLIENT_SEARCH} WHERE {CLIENT_SEARCH} MATCH ?",
                [f"({self.expression}) NOT ({in_name})"],
            )
        ]
        for arm in self.arms(self.expression, ranked=False)[1:]:
            # "+": a test on each hit, never a rowid handed to the index (see arms).
            arms.append(Sql(f"{arm.text} AND +v.rowid NOT IN named", arm.params))
        union = self._union(arms, "UNION")
        return Sql(
            f"WITH named AS MATERIALIZED ({named}) {union.text} ORDER BY 1 LIMIT ? OFFSET ?",
            [in_name, *union.params],
        )


def _fts_count(conn: Any, table: str, name: str, expression: str) -> int:
    sql = f"SELECT count(*) FROM {table} WHERE {name} MATCH ?"
    return int(conn.execute(sql, (expression,)).fetchone()[0])
