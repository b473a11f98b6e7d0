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
# this many hits over the indexes, only name matches are ranked, and those only up to
# NAME_RANK_LIMIT (search-as-you-type stays under 50 ms on 100,000 clients over ten
# books, see benchmarks/books.py).
RANK_ALL_LIMIT = 5_000
NAME_RANK_LIMIT = 2_000
# Searches of up to this many words are matched by splitting the words between the main
# index and the books (2 ** n - 2 ways); longer ones word by word.
SPLIT_WORDS = 4


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

    A client is found when every word matches in the main index or in its book's: all of
    them in one index (each index's own AND, which FTS5 answers from its doclists), or
    some in the main index and the others in the book (for each such split of the words,
    the main index's hits for its part, kept once, against each book's hits for the
    rest). Searches of more than :data:`SPLIT_WORDS` words check each word one by one.
    """

    words: list[str]
    books: dict[str, str]  # book id -> schema
    own: str = "1"  # a condition on the client ``c``: whose value-added text may match
    own_params: list[Any] = field(default_factory=list)

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

    def _own(self) -> Sql:
        return Sql("" if self.own == "1" else f" AND {self.own}", list(self.own_params))

    def _book_arm(self, schema: str, book_id: str, expression: str, columns: str) -> Sql:
        own = self._own()
        return Sql(
            f"SELECT {columns} FROM {schema}.{BOOK_SEARCH} v"
            f" JOIN main.{CLIENTS} c ON c.id = v.rowid AND c.book_id = ?"
            f" WHERE v.{BOOK_SEARCH} MATCH ?{own.text}",
            [book_id, expression, *own.params],
        )

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
        for book_id, schema in sorted(self.books.items()):
            found.append(self._book_arm(schema, book_id, expression, book_cols))
        return found

    def found(self, ranked: bool = True) -> tuple[Sql, list[Sql]]:
        """A WITH clause (maybe empty) and the SELECTs whose union is every client found:
        (id, r) with rank where all the words are in one index, r = 0 for the others."""
        arms = self.arms(self.expression, ranked)
        if len(self.words) == 1 or not self.books:
            return Sql(""), arms
        zero = ", 0 AS r" if ranked else ""
        if len(self.words) > SPLIT_WORDS:
            across = self.across()
            arms.append(
                Sql(
                    f"SELECT c.id AS id{zero} FROM main.{CLIENTS} c WHERE {across.text}",
                    across.params,
                )
            )
            return Sql(""), arms
        ctes, params = [], []
        for n, (in_main, in_book) in enumerate(_splits(len(self.words))):
            ctes.append(
                f"m{n} AS MATERIALIZED (SELECT rowid FROM main.{CLIENT_SEARCH}"
                f" WHERE {CLIENT_SEARCH} MATCH ?)"
            )
            params.append(" ".join(self.words[i] for i in in_main))
            book_words = " ".join(self.words[i] for i in in_book)
            for book_id, schema in sorted(self.books.items()):
                arm = self._book_arm(schema, book_id, book_words, f"v.rowid AS id{zero}")
                arms.append(Sql(f"{arm.text} AND v.rowid IN m{n}", arm.params))
        return Sql("WITH " + ", ".join(ctes) + " ", params), arms

    def across(self) -> Sql:
        """A condition on the client ``c``: every word matches in the main index or in
        the client's book's (checked word by word: for long searches)."""
        parts, params = [], []
        own = self._own()
        for word in self.words:
            text = f"c.id IN (SELECT rowid FROM main.{CLIENT_SEARCH} WHERE {CLIENT_SEARCH} MATCH ?)"
            params.append(word)
            if self.books:
                inner = " UNION ALL ".join(
                    f"SELECT ?, rowid FROM {schema}.{BOOK_SEARCH} WHERE {BOOK_SEARCH} MATCH ?"
                    for _, schema in sorted(self.books.items())
                )
                for book_id in sorted(self.books):
                    params += [book_id, word]
                text = f"({text} OR ((c.book_id, c.id) IN ({inner}){own.text}))"
                params += own.params
            parts.append(text)
        return Sql(" AND ".join(parts), params)

    def member(self) -> Sql:
        """A condition on the client ``c``: found by this search."""
        with_, arms = self.found(ranked=False)
        return Sql(
            f"c.id IN ({with_.text}" + " UNION ALL ".join(a.text for a in arms) + ")",
            [*with_.params, *(p for a in arms for p in a.params)],
        )

    def scored(self) -> Sql:
        """A SELECT of (id, score) of every client found; the lower the score the better."""
        with_, arms = self.found()
        return Sql(
            f"{with_.text}SELECT id, sum(r) AS score FROM ("
            + " UNION ALL ".join(a.text for a in arms)
            + ") GROUP BY id",
            [*with_.params, *(p for a in arms for p in a.params)],
        )

    def count(self, conn: Any) -> int:
        """How many clients are found."""
        with_, arms = self.found(ranked=False)
        sql = f"{with_.text}SELECT count(*) FROM (" + " UNION ".join(a.text for a in arms) + ")"
        params = [*with_.params, *(p for a in arms for p in a.params)]
        return int(conn.execute(sql, params).fetchone()[0])

    def _more_than(self, conn: Any, limit: int) -> bool:
        """Whether the indexes hold more than ``limit`` hits (a client found in two
        counts twice): each index counted only as far as needed."""
        if len(self.words) > 1:
            with_, arms = self.found(ranked=False)
            sql = (
                f"{with_.text}SELECT count(*) FROM (SELECT 1 FROM ("
                + " UNION ALL ".join(a.text for a in arms)
                + ") LIMIT ?)"
            )
            params = [*with_.params, *(p for a in arms for p in a.params), limit + 1]
            return int(conn.execute(sql, params).fetchone()[0]) > limit
        total = 0
        tables = [(f"main.{CLIENT_SEARCH}", CLIENT_SEARCH)]
        tables += [(f"{schema}.{BOOK_SEARCH}", BOOK_SEARCH) for schema in self.books.values()]
        for table, name in tables:
            sql = f"SELECT count(*) FROM (SELECT 1 FROM {table} WHERE {name} MATCH ? LIMIT ?)"
            total += int(conn.execute(sql, (self.expression, limit - total + 1)).fetchone()[0])
            if total > limit:
                return True
        return False

    def ranked_ids(self, conn: Any, limit: int, offset: int) -> list[int]:
        """The ids of one page of hits, best first.

        Few hits: all are ranked. Many hits (a short prefix): hits in the name come first
        (ranked, unless they too are many), the others follow in the order they were added.
        """
        if not self._more_than(conn, RANK_ALL_LIMIT):
            scored = self.scored()
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
            rest = self._rest(in_name)
            ids += [
                r[0]
                for r in conn.execute(
                    rest.text, [*rest.params, limit - len(ids), max(0, offset - name_hits)]
                )
            ]
        return ids

    def _rest(self, in_name: str) -> Sql:
        """The hits not in the name, by id: a merge of each index's hits in rowid order."""
        named = f"SELECT rowid FROM main.{CLIENT_SEARCH} WHERE {CLIENT_SEARCH} MATCH ?"
        if len(self.words) > 1:
            with_, arms = self.found(ranked=False)
            return Sql(
                f"{with_.text}SELECT id FROM (" + " UNION ".join(a.text for a in arms) + ")"
                f" WHERE id NOT IN ({named}) ORDER BY id LIMIT ? OFFSET ?",
                [*with_.params, *(p for a in arms for p in a.params), in_name],
            )
        arms = [
            Sql(
                f"SELECT rowid AS id FROM main.{CLIENT_SEARCH} WHERE {CLIENT_SEARCH} MATCH ?",
                [f"({self.expression}) NOT ({in_name})"],
            )
        ]
        for arm in self.arms(self.expression, ranked=False)[1:]:
            arms.append(Sql(f"{arm.text} AND v.rowid NOT IN named", arm.params))
        return Sql(
            f"WITH named AS MATERIALIZED ({named}) "
            + " UNION ".join(a.text for a in arms)
            + " ORDER BY 1 LIMIT ? OFFSET ?",
            [in_name, *(p for a in arms for p in a.params)],
        )


def _splits(count: int) -> list[tuple[list[int], list[int]]]:
    """Every way to put some of ``count`` words in the main index and the rest in a book
    (both parts non-empty)."""
    found = []
    for mask in range(1, (1 << count) - 1):
        in_main = [i for i in range(count) if mask >> i & 1]
        found.append((in_main, [i for i in range(count) if not mask >> i & 1]))
    return found


def _fts_count(conn: Any, table: str, name: str, expression: str) -> int:
    sql = f"SELECT count(*) FROM {table} WHERE {name} MATCH ?"
    return int(conn.execute(sql, (expression,)).fetchone()[0])
