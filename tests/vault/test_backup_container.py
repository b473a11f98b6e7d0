"""Writing the backup file: past the page cache where the system allows it (O_DIRECT),
else the usual way; the same bytes and the same SHA-256 either way."""

from __future__ import annotations

import errno
import hashlib
import os
from pathlib import Path

import pytest

from crmdesk.vault.backup import container

# An odd-sized prefix and parts that end mid-block and span several chunks.
PREFIX = b"crmdesk-backup 2\n" + b"h" * 5001 + b"\n"
SIZES = (3 * 8192 + 17, 0, 4096, 1)


@pytest.fixture
def parts(tmp_path: Path) -> list[Path]:
    made = []
    for i, size in enumerate(SIZES):
        path = tmp_path / f"part{i}.db"
        path.write_bytes(os.urandom(size))
        made.append(path)
    return made


def _expected(parts: list[Path]) -> bytes:
    return PREFIX + b"".join(p.read_bytes() for p in parts)


@pytest.mark.skipif(not container._DIRECT, reason="no O_DIRECT on this system")
def test_written_past_the_page_cache_is_the_same_file(parts, tmp_path, monkeypatch):
    monkeypatch.setattr(container, "_DIRECT_CHUNK", 8192)  # many chunks, as for 800 MB
    dest = tmp_path / "out" / "b.crmbackup"
    dest.parent.mkdir()
    direct = []
    real = container._write_direct

    def recorded(*args):
        direct.append(result := real(*args))
        return result

    monkeypatch.setattr(container, "_write_direct", recorded)
    size, sha = container.write_container(dest, PREFIX, parts, force=False)
    expected = _expected(parts)
    if direct[0] is None:
        pytest.skip("this file system refuses O_DIRECT")
    assert dest.read_bytes() == expected
    assert (size, sha) == (len(expected), hashlib.sha256(expected).hexdigest())
    assert [p.name for p in dest.parent.iterdir()] == ["b.crmbackup"]


def test_a_file_system_that_refuses_o_direct_gets_the_usual_write(parts, tmp_path, monkeypatch):
    real_open = os.open

    def refusing(path, flags, *args, **kwargs):
        if container._DIRECT and flags & container._DIRECT:
            raise OSError(errno.EINVAL, "Invalid argument")
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(container.os, "open", refusing)
    dest = tmp_path / "b.crmbackup"
    size, sha = container.write_container(dest, PREFIX, parts, force=False)
    expected = _expected(parts)
    assert dest.read_bytes() == expected
    assert (size, sha) == (len(expected), hashlib.sha256(expected).hexdigest())


@pytest.mark.skipif(not container._DIRECT, reason="no O_DIRECT on this system")
def test_a_write_refused_midway_starts_again_the_usual_way(parts, tmp_path, monkeypatch):
    """A device whose blocks are larger than ours refuses the first write: the file is
    written again through the page cache, nothing of the first attempt left in it."""
    monkeypatch.setattr(container, "_DIRECT_CHUNK", 8192)
    calls = []
    real_write_all = container._write_all

    def refusing_second(fd, data):
        calls.append(len(data))
        if len(calls) == 2:
            raise OSError(errno.EINVAL, "Invalid argument")
        real_write_all(fd, data)

    monkeypatch.setattr(container, "_write_all", refusing_second)
    dest = tmp_path / "b.crmbackup"
    size, sha = container.write_container(dest, PREFIX, parts, force=False)
    expected = _expected(parts)
    assert len(calls) == 2
    assert dest.read_bytes() == expected
    assert (size, sha) == (len(expected), hashlib.sha256(expected).hexdigest())
