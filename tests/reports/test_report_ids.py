"""Report IDs: typable, forgiving of case and dashes, and any single typo is caught."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crmdesk.domain.report_ids import ALPHABET, CHECK_ALPHABET, new_report_id, normalise_report_id

SHAPE = re.compile(
    r"^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{2}[0-9A-Z*~$=]$"
)
bodies = st.text(alphabet=ALPHABET, min_size=10, max_size=10)


def _with_check(body: str) -> str:
    for check in CHECK_ALPHABET:
        try:
            return normalise_report_id(body + check)
        except ValueError:
            continue
    raise AssertionError("no check symbol fits")


def test_new_ids_have_the_shape_and_differ():
    ids = {new_report_id() for _ in range(200)}
    assert len(ids) == 200
    for report_id in ids:
        assert SHAPE.match(report_id), report_id
        assert normalise_report_id(report_id) == report_id


@given(bodies)
def test_round_trip_ignoring_case_spaces_dashes_and_lookalikes(body):
    report_id = _with_check(body)
    typed = report_id.lower().replace("-", " ").replace("1", "l").replace("0", "o")
    assert normalise_report_id(typed) == report_id
    assert normalise_report_id(f"  {report_id.replace('-', '')} ") == report_id


@given(bodies, st.integers(0, 10), st.data())
def test_any_single_substitution_is_caught(body, position, data):
    compact = _with_check(body).replace("-", "")
    allowed = ALPHABET if position < 10 else CHECK_ALPHABET
    replacement = data.draw(st.sampled_from([c for c in allowed if c != compact[position]]))
    typo = compact[:position] + replacement + compact[position + 1 :]
    with pytest.raises(ValueError, match="typo"):
        normalise_report_id(typo)


@pytest.mark.parametrize(
    "text", ["", "ABCD-EFGH-JK", "ABCD-EFGH-JKMN", "ABCD-EFGH-J!1", "ABCD-EFUH-JK1"]
)
def test_wrong_length_or_characters_are_refused(text):
    with pytest.raises(ValueError, match="typo"):
        normalise_report_id(text)
