from __future__ import annotations

import pytest

from crmdesk.domain.errors import FieldError, ValidationError, index_path, join_path
from crmdesk.domain.validation import Collector, normalise_email, parse_date


def test_str_joins_every_error_with_its_path() -> None:
    err = ValidationError(
        [
            FieldError("contacts[0].email", "not a valid email address: 'bob@'"),
            FieldError("purchases[2].items[0].unit_price", "must not be negative: -1"),
        ]
    )
    assert str(err) == (
        "contacts[0].email: not a valid email address: 'bob@'; "
        "purchases[2].items[0].unit_price: must not be negative: -1"
    )
    assert len(err.errors) == 2


def test_root_error_has_no_path_prefix() -> None:
    assert str(ValidationError.single("", "expected an object")) == "expected an object"


def test_paths_are_built_like_the_json() -> None:
    assert join_path(index_path(join_path("", "purchases"), 2), "date") == "purchases[2].date"


def test_collector_gathers_all_errors_before_raising() -> None:
    c = Collector()
    assert c.check(normalise_email, "bob@", "email") is None
    assert c.check(parse_date, "2024-02-30", "birthday") is None
    assert c.check(normalise_email, "a@b.co", "emails[1]") == "a@b.co"
    with pytest.raises(ValidationError) as caught:
        c.raise_if_any()
    assert [e.path for e in caught.value.errors] == ["email", "birthday"]


def test_collector_without_errors_does_not_raise() -> None:
    Collector().raise_if_any()
