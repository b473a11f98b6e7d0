"""The shared folder: each device writes only in its own subfolder, files that are
never rewritten; a reader takes each device's files in order, once.

    <folder>/<office id>/devices/<device id>/changes-00000001.crmsync
                                            /changes-00000002.crmsync ...
    <folder>/.stignore        (Syncthing: never send a file still being written)

A file is written under a ``.partial-`` name, flushed to disk, then linked to its final
name, which fails if that name exists: a file, once there, is never replaced (so
Syncthing never makes conflict copies). A reader remembers, per device, the files it
applied (:class:`DeviceLog`): the next one must carry the next number and name the
previous one's digest; a file it already applied that comes back different is reported
as rewritten; a number missing (not arrived yet) makes it wait for that device.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crmdesk.sync import changefile
from crmdesk.sync.changefile import GENESIS, ChangeFile, Section, Signer
from crmdesk.sync.errors import FileRejected

DEVICES = "devices"
PARTIAL = ".partial-"
STIGNORE_LINES = ("// crmdesk: files still being written are never sent", f"{PARTIAL}*")
_NAME = re.compile(r"^changes-(\d{8})\.crmsync$")
_DEVICE = re.compile(r"^[0-9a-f]{8,64}$")


@dataclass
class DeviceLog:
    """What this reader applied of one device's files: the last file's number and
    digest, and each applied file's digest and size (to tell a repeat from a rewrite)."""

    number: int = 0
    digest: str = GENESIS
    applied: dict[int, tuple[str, int, int]] = field(default_factory=dict)

    def advance(self, done: ChangeFile) -> None:
        self.number, self.digest = done.number, done.digest
        self.applied[done.number] = (done.digest, done.size, done.mtime_ns)

    def to_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "digest": self.digest,
            "applied": {str(n): list(v) for n, v in sorted(self.applied.items())},
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DeviceLog:
        applied = {
            int(n): (str(d), int(s), int(m)) for n, (d, s, m) in data.get("applied", {}).items()
        }
        return cls(int(data["number"]), str(data["digest"]), applied)


@dataclass(frozen=True, slots=True)
class Rejection:
    """A file refused, and why (a :class:`FileRejected`'s code and words)."""

    device: str
    number: int
    code: str
    message: str


@dataclass(frozen=True, slots=True)
class Pass:
    """One device's files read after what was applied: the files to apply in order, a
    file refused (after which nothing more of that device is read), and whether a
    missing number stopped the reading (``waiting``)."""

    files: tuple[ChangeFile, ...]
    rejected: tuple[Rejection, ...]
    waiting: int | None  # the number that has not arrived, if any


class SyncFolder:
    """One office's part of a shared folder."""

    def __init__(self, root: Path, office: str) -> None:
        self.root = Path(root)
        self.office = office
        self.devices_dir = self.root / office / DEVICES

    def prepare(self) -> None:
        """Make the office's folders and the ignore file Syncthing reads (kept if there)."""
        self.devices_dir.mkdir(parents=True, exist_ok=True)
        ignore = self.root / ".stignore"
        if not ignore.exists():
            ignore.write_text("\n".join(STIGNORE_LINES) + "\n", encoding="utf-8")

    def device_dir(self, device: str) -> Path:
        if not _DEVICE.match(device):
            raise ValueError("not a device id")
        return self.devices_dir / device

    def devices(self) -> list[str]:
        """The devices that have written here (their folders), sorted."""
        if not self.devices_dir.is_dir():
            return []
        return sorted(p.name for p in self.devices_dir.iterdir() if _DEVICE.match(p.name))

    def numbers(self, device: str) -> list[int]:
        folder = self.device_dir(device)
        if not folder.is_dir():
            return []
        found = (_NAME.match(p.name) for p in folder.iterdir())
        return sorted(int(m[1]) for m in found if m)

    # -- writing -------------------------------------------------------------------------

    def write(
        self,
        signer: Signer,
        log: DeviceLog,
        *,
        made_at: str,
        sections: Sequence[Section],
        keys: Mapping[str, bytes],
    ) -> ChangeFile:
        """This device's next file (``log`` is its own: what it wrote so far), on disk
        under its final name, never over a file that is there; ``log`` moves past it."""
        number = log.number + 1
        data = changefile.encode(
            signer,
            office=self.office,
            number=number,
            previous=log.digest,
            made_at=made_at,
            sections=sections,
            keys=keys,
        )
        folder = self.device_dir(signer.device_id)
        folder.mkdir(parents=True, exist_ok=True)
        final = folder / changefile.file_name(number)
        partial = folder / f"{PARTIAL}{final.name}"
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.link(partial, final)  # fails when the name is taken: never a replacement
        except FileExistsError:
            raise FileRejected(
                "this device's next file is there already: another copy of this vault "
                "writes as the same device",
                code="sync.file_exists",
                device=signer.device_id,
                number=number,
            ) from None
        finally:
            with contextlib.suppress(FileNotFoundError):
                partial.unlink()
        with contextlib.suppress(OSError):
            _fsync_dir(folder)
        written = ChangeFile(
            self.office,
            signer.device_id,
            number,
            log.digest,
            hashlib.sha256(data).hexdigest(),
            made_at,
            (),
            (),
            len(data),
            final.stat().st_mtime_ns,
        )
        log.advance(written)
        return written

    # -- reading -------------------------------------------------------------------------

    def read_new(
        self, device: str, log: DeviceLog, *, device_key: bytes, keys: Mapping[str, bytes]
    ) -> Pass:
        """``device``'s files after ``log``, checked and opened with ``keys``; the caller
        applies each in order and moves ``log`` past it (:meth:`DeviceLog.advance`)."""
        folder = self.device_dir(device)
        files: list[ChangeFile] = []
        rejected: list[Rejection] = []
        expected, previous = log.number + 1, log.digest
        for number in self.numbers(device):
            path = folder / changefile.file_name(number)
            if number < expected:
                problem = _rewritten(path, log.applied.get(number), device, number)
                if problem is not None:
                    rejected.append(problem)
                continue
            if number > expected:
                return Pass(tuple(files), tuple(rejected), expected)
            try:
                mtime_ns = path.stat().st_mtime_ns
                data = path.read_bytes()
                found = changefile.decode(
                    data,
                    office=self.office,
                    device=device,
                    number=number,
                    device_key=device_key,
                    keys=keys,
                )
                if found.previous != previous:
                    raise FileRejected(
                        "the file does not follow the device's previous file (one was "
                        "replaced, removed or put back from an older copy)",
                        code="sync.file_out_of_line",
                        device=device,
                        number=number,
                    )
            except FileRejected as exc:
                rejected.append(Rejection(device, number, exc.code, exc.message))
                return Pass(tuple(files), tuple(rejected), None)
            except FileNotFoundError:
                return Pass(tuple(files), tuple(rejected), expected)
            files.append(dataclasses.replace(found, mtime_ns=mtime_ns))
            expected, previous = number + 1, found.digest
        return Pass(tuple(files), tuple(rejected), None)


def _rewritten(
    path: Path, applied: tuple[str, int, int] | None, device: str, number: int
) -> Rejection | None:
    """A file applied before that is no longer what was applied (read again only when
    its length or time changed)."""
    if applied is None:
        return None
    digest, size, mtime_ns = applied
    try:
        stat = path.stat()
        if (stat.st_size, stat.st_mtime_ns) == (size, mtime_ns):
            return None
        if hashlib.sha256(path.read_bytes()).hexdigest() == digest:
            return None
    except FileNotFoundError:
        return None
    return Rejection(
        device,
        number,
        "sync.file_rewritten",
        "a file applied before came back different: ignored (what was applied stands)",
    )


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
