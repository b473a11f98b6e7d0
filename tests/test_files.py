"""Private files: owner-only from the first byte, in place whole or not at all."""

from __future__ import annotations

import os
import stat

import pytest

from crmdesk.files import PrivateFile, write_private


def _names(folder):
    return sorted(p.name for p in folder.iterdir())


def test_a_private_file_is_in_place_only_when_told_and_readable_by_its_owner(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("older\n")
    with PrivateFile(path) as private:
        with private.open("w", encoding="utf-8") as out:
            out.write("new\n")
        assert path.read_text() == "older\n" and private.temporary.read_text() == "new\n"
        if os.name == "posix":
            assert stat.S_IMODE(private.temporary.stat().st_mode) == 0o600
        private.put_in_place()
    assert path.read_text() == "new\n" and _names(tmp_path) == ["export.csv"]


def test_leaving_without_putting_it_in_place_removes_it(tmp_path):
    path = tmp_path / "export.csv"
    with PrivateFile(path) as private, private.open("wb") as out:
        out.write(b"half")
    assert _names(tmp_path) == []
    with pytest.raises(RuntimeError), PrivateFile(path):  # never even written
        raise RuntimeError("before the first byte")
    assert _names(tmp_path) == []


def test_an_error_after_it_is_in_place_removes_it(tmp_path):
    # As when the transaction that registers an export fails to commit.
    path = tmp_path / "export.csv"
    with pytest.raises(RuntimeError, match="commit"), PrivateFile(path) as private:
        with private.open("wb") as out:
            out.write(b"data")
        private.put_in_place()
        raise RuntimeError("commit failed")
    assert _names(tmp_path) == []


def test_it_is_written_once(tmp_path):
    with PrivateFile(tmp_path / "x") as private:
        with private.open("wb"):
            pass
        with pytest.raises(ValueError, match="once"), private.open("wb"):
            pass


def test_write_private_replaces_a_file_whole(tmp_path):
    path = tmp_path / "vault.json"
    path.write_bytes(b"old")
    write_private(path, b"new")
    assert path.read_bytes() == b"new" and _names(tmp_path) == ["vault.json"]
