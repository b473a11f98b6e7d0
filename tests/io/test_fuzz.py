"""Fuzzing the import parsers: arbitrary bytes raise only the documented error, and
well-formed CSV files give back exactly the cells written."""

from __future__ import annotations

import contextlib
import csv
import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crmdesk.domain import ValidationError, client_from_json
from crmdesk.errors import BadInput
from crmdesk.io.csv_import import CsvReader, inspect_csv
from crmdesk.io.drafts import describe, without_paths
from crmdesk.io.import_dates import DateEvidence
from crmdesk.io.import_rows import RowBuilder
from crmdesk.io.limits import Limits
from crmdesk.io.mapping import guess_mapping
from crmdesk.io.vcard_import import VcardReader

# Small limits, so that random input reaches every one of them.
SMALL = Limits(
    max_line_chars=300,
    max_field_chars=200,
    max_record_chars=600,
    max_columns=20,
    max_records=200,
    max_property_chars=100,
    sample_bytes=512,
)
FUZZ = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Pieces that make random input look like the real thing more often than pure noise.
TOKENS = [
    b",", b";", b"\t", b'"', b"'", b"=", b"\r\n", b"\n", b"\r", b" ", b"\x00", b"\xff\xfe",
    b"\xfe\xff", b"\xef\xbb\xbf", b"\xe9", b"\xc3\xa9", b"\x81", b"\xed\xa0\x80", b"Name",
    b"Email", b"Company", b"Birthday", b"Phone", b"Tags", b"x@y.example", b"+1 202 555 0173",
    b"12/31/1999", b"31/12/1999", b"--12-02", b"27730", b":::", b"BEGIN:VCARD", b"END:VCARD",
    b"VERSION:3.0", b"VERSION:4.0", b"FN:", b"N:a;b;;;", b"ORG:", b"BDAY:", b"TEL:tel:+1",
    b"ADR:;;a;b;c;d;e", b"CATEGORIES:a,b", b"EMAIL:", b"PHOTO;ENCODING=b:", b" QUJD",
    b"ENCODING=QUOTED-PRINTABLE:=C3=", b"item1.", b"\x89PNG\r\n\x1a\n", b"PK\x03\x04",
]  # fmt: skip
inputs = st.one_of(
    st.binary(max_size=1500),
    st.lists(st.sampled_from(TOKENS) | st.binary(max_size=8), max_size=120).map(b"".join),
)


def exercise_csv(path):
    """Everything an import does with a CSV file, short of the vault."""
    fmt = inspect_csv(path, SMALL)
    mapping = guess_mapping(fmt.header)
    evidence = DateEvidence()
    builder = RowBuilder(fmt.header, mapping, evidence.decide())
    with CsvReader(path, fmt.encoding, fmt.delimiter, SMALL) as reader:
        for record in reader.records():
            for cell in builder.date_cells(record):
                evidence.feed(cell, record.row)
            validate(builder.build(record))
        reader.finish()
    evidence.decide()


def exercise_vcard(path):
    with VcardReader(path, None, SMALL) as reader:
        for draft in reader.drafts():
            validate(draft)
        reader.finish()


def validate(draft):
    if draft.data is None:
        return
    try:
        client_from_json(draft.data)
    except ValidationError as exc:
        issues = [describe(e, draft) for e in exc.errors]
        cleaned = without_paths(draft.data, issues)
        if cleaned is not None:
            with contextlib.suppress(ValidationError):
                client_from_json(cleaned)


def only_bad_input(fn, path):
    try:
        fn(path)
    except BadInput as exc:
        assert exc.message.strip()  # always a message a person can act on


@FUZZ
@given(data=inputs)
def test_arbitrary_bytes_as_csv_raise_only_bad_input(tmp_path, data):
    path = tmp_path / "fuzz.csv"
    path.write_bytes(data)
    only_bad_input(exercise_csv, path)


@FUZZ
@given(data=inputs)
def test_arbitrary_bytes_as_vcard_raise_only_bad_input(tmp_path, data):
    path = tmp_path / "fuzz.vcf"
    path.write_bytes(data)
    only_bad_input(exercise_vcard, path)


cell_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    max_size=40,
)


@st.composite
def tables(draw):
    width = draw(st.integers(min_value=2, max_value=6))
    # Header labels as exports write them (plain words): they decide the delimiter.
    header = draw(
        st.lists(
            st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJ 0123456789-", min_size=1)
            .map(str.strip)
            .filter(bool),
            min_size=width,
            max_size=width,
        )
    )
    rows = draw(st.lists(st.lists(cell_text, min_size=width, max_size=width), max_size=15))
    return [header, *rows]


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    table=tables(),
    delimiter=st.sampled_from([",", ";", "\t"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]),
)
def test_well_formed_csv_round_trips_every_cell(tmp_path, table, delimiter, encoding):
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter).writerows(table)
    path = tmp_path / "table.csv"
    path.write_bytes(buffer.getvalue().encode(encoding))
    fmt = inspect_csv(path)
    assert fmt.delimiter == delimiter
    with CsvReader(path, fmt.encoding, fmt.delimiter) as reader:
        assert [r.cells for r in reader.records()] == table
