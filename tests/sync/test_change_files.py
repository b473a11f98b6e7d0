"""Change files in a shared folder (issue 14, part 2): a laptop opens only the sections
of keys it holds; a file changed, cut short, forged, renamed, replayed or rewritten is
refused with a clear report and nothing of it is handed on."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from nacl.signing import SigningKey

from crmdesk.sync import changefile
from crmdesk.sync.changefile import ChangeFile, Section
from crmdesk.sync.errors import FileRejected
from crmdesk.sync.folder import DeviceLog, SyncFolder

OFFICE = "0f1ce0000000aaaa"
WHEN = "2026-12-04T12:00:00.000000+00:00"
KEYS = {"office": os.urandom(32), "book:sam": os.urandom(32), "book:kim": os.urandom(32)}


class Device:
    """A laptop's signing key and the id it writes under."""

    def __init__(self) -> None:
        self._key = SigningKey.generate()
        self.public = bytes(self._key.verify_key)
        self.device_id = hashlib.sha256(self.public).hexdigest()[:32]

    def sign(self, message: bytes) -> bytes:
        return self._key.sign(message).signature


def _sections(n: int = 0) -> list[Section]:
    return [
        Section("office", ({"table": "clients", "column": "name", "value": f"Harbour {n}"},)),
        Section("book:sam", ({"table": "clients", "column": "notes", "value": "rye in autumn"},)),
        Section("book:kim", ({"table": "clients", "column": "notes", "value": "Kim's secret"},)),
    ]


@pytest.fixture
def shared(tmp_path: Path) -> SyncFolder:
    folder = SyncFolder(tmp_path / "Sync", OFFICE)
    folder.prepare()
    return folder


def _write(folder: SyncFolder, device: Device, log: DeviceLog, n: int = 0) -> ChangeFile:
    return folder.write(device, log, made_at=WHEN, sections=_sections(n), keys=KEYS)


def _read(folder: SyncFolder, device: Device, log: DeviceLog, keys=None):
    return folder.read_new(device.device_id, log, device_key=device.public, keys=keys or KEYS)


def test_a_laptop_opens_its_own_book_and_the_office_section_only(shared):
    device, own = Device(), DeviceLog()
    _write(shared, device, own)
    sams = {k: KEYS[k] for k in ("office", "book:sam")}
    found = _read(shared, device, DeviceLog(), sams)
    [file] = found.files
    assert [s.key_id for s in file.opened] == ["office", "book:sam"]
    assert file.sealed == ("book:kim",)
    assert file.opened[1].items[0]["value"] == "rye in autumn"
    # Kim's words are in the file only as ciphertext: not a byte of them readable.
    data = (shared.device_dir(device.device_id) / changefile.file_name(1)).read_bytes()
    assert b"Kim" not in data and b"secret" not in data and b"rye" not in data
    assert found.rejected == () and found.waiting is None


def test_files_are_read_in_order_once_and_a_missing_number_waits(shared, tmp_path):
    device, own = Device(), DeviceLog()
    for n in range(3):
        _write(shared, device, own, n)
    assert shared.numbers(device.device_id) == [1, 2, 3]
    # File 2 has not arrived yet (Syncthing delivers in any order): 1 is read, then wait.
    held = tmp_path / "held"
    second = shared.device_dir(device.device_id) / changefile.file_name(2)
    shutil.move(second, held)
    log = DeviceLog()
    found = _read(shared, device, log)
    assert [f.number for f in found.files] == [1] and found.waiting == 2
    for file in found.files:
        log.advance(file)
    shutil.move(held, second)
    found = _read(shared, device, log)
    assert [f.number for f in found.files] == [2, 3] and found.waiting is None
    for file in found.files:
        log.advance(file)
    assert _read(shared, device, log).files == ()  # nothing twice
    assert DeviceLog.from_json(log.to_json()) == log


def test_a_written_file_is_never_replaced(shared):
    device, own = Device(), DeviceLog()
    _write(shared, device, own)
    stale = DeviceLog()  # a second copy of this vault, writing as the same device
    with pytest.raises(FileRejected) as refused:
        _write(shared, device, stale)
    assert refused.value.code == "sync.file_exists"
    assert len(list(shared.device_dir(device.device_id).iterdir())) == 1  # no partial left


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(where=st.floats(min_value=0, max_value=1), bit=st.integers(min_value=0, max_value=7))
def test_any_flipped_bit_is_refused(shared, where, bit):
    device = Device()
    _write(shared, device, DeviceLog())
    path = shared.device_dir(device.device_id) / changefile.file_name(1)
    data = bytearray(path.read_bytes())
    at = int(where * (len(data) - 1))
    data[at] ^= 1 << bit
    path.write_bytes(bytes(data))
    found = _read(shared, device, DeviceLog())
    assert found.files == ()
    [rejection] = found.rejected
    assert rejection.code in {"sync.file_forged", "sync.file_bad"}
    assert rejection.number == 1 and rejection.device == device.device_id


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(keep=st.floats(min_value=0, max_value=0.999))
def test_a_file_cut_short_is_refused(shared, keep):
    device = Device()
    _write(shared, device, DeviceLog())
    path = shared.device_dir(device.device_id) / changefile.file_name(1)
    data = path.read_bytes()
    path.write_bytes(data[: int(keep * len(data))])
    found = _read(shared, device, DeviceLog())
    assert found.files == () and found.rejected[0].code in {"sync.file_bad", "sync.file_forged"}


def test_a_file_signed_by_someone_else_is_refused(shared):
    device, forger = Device(), Device()
    forger.device_id = device.device_id  # writes into the device's folder, with its own key
    _write(shared, forger, DeviceLog())
    found = _read(shared, device, DeviceLog())
    assert found.files == () and found.rejected[0].code == "sync.file_forged"
    assert "signature" in found.rejected[0].message


def test_a_file_renamed_or_copied_from_elsewhere_is_refused(shared, tmp_path):
    device = Device()
    own = DeviceLog()
    _write(shared, device, own)
    _write(shared, device, own)
    folder = shared.device_dir(device.device_id)
    # Replayed: file 1 put back in the place of file 2 (and 3 of another office).
    (folder / changefile.file_name(2)).unlink()
    shutil.copy(folder / changefile.file_name(1), folder / changefile.file_name(2))
    log = DeviceLog()
    found = _read(shared, device, log)
    assert [f.number for f in found.files] == [1]
    assert found.rejected[0].number == 2 and found.rejected[0].code == "sync.file_misplaced"
    other = SyncFolder(tmp_path / "Other", "0f1ce0000000bbbb")
    other.prepare()
    _write(other, device, DeviceLog())
    shutil.copy(
        other.device_dir(device.device_id) / changefile.file_name(1),
        shared.device_dir(device.device_id) / "x",
    )
    target = shared.device_dir(device.device_id) / changefile.file_name(2)
    target.unlink()
    (shared.device_dir(device.device_id) / "x").rename(target)
    for file in found.files:
        log.advance(file)
    found = _read(shared, device, log)
    assert found.files == () and found.rejected[0].code == "sync.file_misplaced"


def test_an_older_file_in_the_place_of_a_newer_one_is_out_of_line(shared, tmp_path):
    """A device's file 2 replaced by another true file 2 of the same device (an old copy
    of the vault writing again): signed and in place, but not after file 1."""
    device = Device()
    first, second = DeviceLog(), DeviceLog()
    _write(shared, device, first)
    _write(shared, device, first)
    keep = shared.device_dir(device.device_id) / changefile.file_name(2)
    keep.unlink()
    # The same device's key writes a different file 2 after a different file 1.
    other = SyncFolder(tmp_path / "Elsewhere", OFFICE)
    other.prepare()
    _write(other, device, second, 7)
    _write(other, device, second, 8)
    shutil.copy(other.device_dir(device.device_id) / changefile.file_name(2), keep)
    found = _read(shared, device, DeviceLog())
    assert [f.number for f in found.files] == [1]
    assert found.rejected[0].code == "sync.file_out_of_line"


def test_a_file_applied_before_that_comes_back_different_is_reported(shared):
    device = Device()
    own, log = DeviceLog(), DeviceLog()
    _write(shared, device, own)
    for file in _read(shared, device, log).files:
        log.advance(file)
    path = shared.device_dir(device.device_id) / changefile.file_name(1)
    data = bytearray(path.read_bytes())
    data[-1] ^= 1
    path.write_bytes(bytes(data))
    found = _read(shared, device, log)
    assert found.files == ()
    assert [r.code for r in found.rejected] == ["sync.file_rewritten"]
    # Touched but the same: not a rewrite.
    data[-1] ^= 1
    path.write_bytes(bytes(data))
    assert _read(shared, device, log).rejected == ()


def test_a_section_under_a_wrong_key_is_refused_not_half_read(shared):
    device = Device()
    _write(shared, device, DeviceLog())
    wrong = dict(KEYS, **{"book:sam": os.urandom(32)})  # an old key of Sam's book
    found = _read(shared, device, DeviceLog(), wrong)
    assert found.files == () and found.rejected[0].code == "sync.file_unreadable"


def test_syncthing_is_told_not_to_send_files_still_being_written(shared):
    ignore = (shared.root / ".stignore").read_text(encoding="utf-8")
    assert ".partial-*" in ignore.splitlines()
