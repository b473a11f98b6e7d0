from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crmdesk.domain.text import fold


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Zoë Łukasiewicz", "zoe lukasiewicz"),
        ("Nguyễn Thị Minh", "nguyen thi minh"),
        ("Straße", "strasse"),
        ("STRASSE", "strasse"),
        ("Søren Kierkegaard", "soren kierkegaard"),
        ("Đorđe Balašević", "dorde balasevic"),
        ("Æsir Œuvre", "aesir oeuvre"),
        ("Þórunn", "thorunn"),
        ("Istanbul ıİ", "istanbul ii"),
        ("Crème Brûlée", "creme brulee"),
        ("ﬁne", "fine"),
        ("", ""),
    ],
)
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_folded_query_matches_folded_name() -> None:
    assert fold("lukas") in fold("Zoë Łukasiewicz")


def _reference_fold(text: str) -> str:
    """The definition, one character at a time (slow, obviously right)."""
    import unicodedata

    from crmdesk.domain.text import _UNDECOMPOSED

    def strip(s: str) -> str:
        return "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))

    return strip(strip(text).casefold().translate(_UNDECOMPOSED))


@given(st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from(" ëŁễß İ")))
def test_fast_fold_matches_the_definition(text):
    assert fold(text) == _reference_fold(text)
