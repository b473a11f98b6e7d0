"""Fixtures of the office tests: a shared folder, and the role tests' office made an
office of laptops syncing through it (tests/sync/office_vaults.py)."""

from __future__ import annotations

import pytest

from tests.services.office import fast_passwords  # noqa: F401  (a fixture)
from tests.sync.office_vaults import office_with_folder


@pytest.fixture
def shared(tmp_path):
    return tmp_path / "shared"


@pytest.fixture
def office(vault, shared, fast_passwords):  # noqa: F811
    return office_with_folder(vault, shared)
