from __future__ import annotations

import pytest

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
