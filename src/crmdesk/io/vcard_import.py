"""Reading vCard files (2.1, 3.0 and 4.0) into client JSON, one card at a time.

Cards are cut out of the byte stream with every size checked as the lines arrive
(:mod:`.vcard_lines`), and turned into client JSON by :mod:`.vcard_cards`: so a 10 MB
property, cards nested a thousand deep or a card that never ends cost bounded time and
memory, and spoil only their own card; a property that cannot be read costs only
itself. A first pass over the file notes which cards link to which (crmdesk's
X-CRMDESK-CLIENT, vCard 4 MEMBER and RELATED), so that the people of a company join
its card wherever they stand in the file.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import Self

from .drafts import Draft, Issue, ProblemKind
from .import_text import HashingReader, TextEncoding, refuse_binary, unreadable
from .limits import DEFAULT_LIMITS, Limits
from .vcard_cards import CardIndex, card_json
from .vcard_lines import Card, PropertyReader, vcard_encoding

_CHUNK = 1 << 16

__all__ = ["VcardReader", "vcard_encoding"]


def _open(path: Path) -> HashingReader:
    try:
        return HashingReader(path.open("rb"))
    except OSError as exc:
        raise unreadable(path, exc) from None


class VcardReader:
    """Streams the cards of a vCard file as drafts of client JSON, hashing its bytes.

    Use as a context manager; :meth:`drafts` yields one draft per card (``row`` is the
    card's number, ``line`` its BEGIN line), :meth:`finish` the file's SHA-256.
    ``fallback`` is the encoding of 8-bit text without a CHARSET, when the person names
    one (else it is found from the file).
    """

    def __init__(
        self,
        path: Path,
        encoding: TextEncoding | None = None,
        limits: Limits = DEFAULT_LIMITS,
        fallback: str | None = None,
    ) -> None:
        self.path, self.limits, self.fallback = path, limits, fallback
        if encoding is None:
            hashing = _open(path)
            try:
                head = hashing.read(4096) or b""
            finally:
                hashing.close()
            refuse_binary(head, path.name)
            encoding = vcard_encoding(head)
        self.encoding = encoding
        self._hashing: HashingReader | None = None
        self._buffered: io.BufferedReader | None = None
        self.reader: PropertyReader | None = None

    def __enter__(self) -> Self:
        self._hashing = _open(self.path)
        self._buffered = io.BufferedReader(self._hashing, _CHUNK)
        self.reader = PropertyReader(
            self._buffered, self.path, self.encoding, self.limits, self.fallback
        )
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._buffered is not None:
            self._buffered.close()

    @property
    def bytes_read(self) -> int:
        return self._hashing.bytes_read if self._hashing else 0

    def finish(self) -> str:
        assert self._hashing is not None, "use VcardReader as a context manager"
        return self._hashing.finish()

    def index(self) -> CardIndex:
        """The first pass: which cards link to which (read apart, not hashed)."""
        index = CardIndex()
        with _open(self.path) as raw, io.BufferedReader(raw, _CHUNK) as buffered:
            reader = PropertyReader(buffered, self.path, self.encoding, self.limits, "cp1252")
            for card in reader.cards():
                if not card.broken:
                    index.add(card)
        return index

    def drafts(self, index: CardIndex | None = None) -> Iterator[Draft]:
        assert self.reader is not None, "use VcardReader as a context manager"
        index = index if index is not None else self.index()
        for card in self.reader.cards():
            yield card_draft(card, index)

    @property
    def legacy(self) -> tuple[str, int] | None:
        """The legacy encoding 8-bit text was read in, and the first line it was used on."""
        reader = self.reader
        if reader is None or reader.legacy_first_line is None or reader.legacy is None:
            return None
        return reader.legacy.label, reader.legacy_first_line


def card_draft(card: Card, index: CardIndex | None = None) -> Draft:
    """One cut-out card as a draft of client JSON."""
    draft = Draft(card.number, card.line, None, where="property")
    where = f"card {card.number} (line {card.line:,})"
    if card.broken:
        draft.issues.append(Issue(ProblemKind.UNREADABLE, f"{where}: {card.broken}"))
        return draft
    made = card_json(card, index or CardIndex())
    if (not made.data or not made.data.get("name")) and card.unreadable:
        line, why, _text = card.unreadable[0]
        draft.issues.append(
            Issue(
                ProblemKind.UNREADABLE,
                f"{where} cannot be read: line {line:,} {why.replace('it has', 'has')}, "
                "and nothing else on the card names it",
            )
        )
        return draft
    if not made.data or not made.data.get("name"):
        draft.issues.append(
            Issue(
                ProblemKind.MISSING_NAME,
                f"{where} has no name, organisation, email address or phone number to "
                "import it under",
            )
        )
        draft.blank = not card.properties
        return draft
    draft.data, draft.origins = made.data, made.origins
    draft.group, draft.leads = made.group, made.company
    draft.ignored = made.ignored
    for line, why, text in made.problems:
        said = (
            f"line {line:,} cannot be read ({why}); it is kept in the notes"
            if text
            else f"line {line:,}: {why}"
        )
        draft.issues.append(Issue(ProblemKind.UNREADABLE, said))
    return draft
