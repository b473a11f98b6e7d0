"""Is the vault folder shared over a network or synced to a cloud? Then warn.

SQLite (and so SQLCipher) relies on file locks that network file systems implement
badly or not at all, and cloud sync services copy a database file while it changes:
both corrupt vaults. crmdesk cannot stop a person from putting the folder there, but it
can say so plainly (``crmdesk status``, the app's status).

The parsing is pure (functions that take mount tables and paths as text), so that every
rule is tested on any computer; :func:`sharing_warning` only gathers the facts of the
computer it runs on.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path, PurePath, PurePosixPath, PureWindowsPath

from crmdesk.errors import Notice

# Linux file system types whose files live on another computer (or are shared with one).
NETWORK_FS_TYPES = frozenset(
    {
        "nfs",
        "nfs4",
        "cifs",
        "smb3",
        "smbfs",
        "ncpfs",
        "9p",  # also how WSL 2 shows Windows drives, and how VMs share host folders
        "afs",
        "coda",
        "ceph",
        "glusterfs",
        "lustre",
        "gpfs",
        "beegfs",
        "ocfs2",
        "gfs2",
        "vboxsf",
        "virtiofs",
        "davfs",
        "fuse.davfs2",
        "fuse.sshfs",
        "fuse.rclone",
        "fuse.s3fs",
        "fuse.gcsfuse",
        "fuse.goofys",
        "fuse.glusterfs",
        "fuse.ceph-fuse",
        "fuse.cephfs",
        "fuse.gvfsd-fuse",  # GNOME's gateway to smb://, sftp://, dav:// locations
        "fuse.onedriver",
        "fuse.google-drive-ocamlfuse",
        "fuse.keybase",
        "fuse.juicefs",
    }
)

# macOS ``mount`` types of network volumes.
MACOS_NETWORK_FS_TYPES = frozenset({"smbfs", "nfs", "afpfs", "webdav", "ftp", "cifs"})

# Windows GetDriveTypeW: a network drive.
DRIVE_REMOTE = 4


@dataclass(frozen=True, slots=True)
class Mount:
    mount_point: str
    fs_type: str
    source: str


# -- Linux: /proc/self/mountinfo ------------------------------------------------------


def _unescape(field: str) -> str:
    r"""Undo mountinfo's octal escapes (``\040`` space, ``\011`` tab, ``\012``, ``\134``)."""
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), field)


def parse_mountinfo(text: str) -> list[Mount]:
    """The mounts listed in ``/proc/self/mountinfo`` text; malformed lines are skipped.

    A line reads ``id parent major:minor root mount-point options [optional...] -
    fs-type source super-options``; the optional fields end at the lone ``-``.
    """
    mounts = []
    for line in text.splitlines():
        fields = line.split(" ")
        try:
            sep = fields.index("-", 6)
            mounts.append(Mount(_unescape(fields[4]), fields[sep + 1], _unescape(fields[sep + 2])))
        except (ValueError, IndexError):
            continue
    return mounts


def _is_under(path: PurePath, mount_point: PurePath) -> bool:
    # By whole components: /mnt/nfs is not under /mnt/nf.
    return path.parts[: len(mount_point.parts)] == mount_point.parts


def mount_of(mounts: list[Mount], path: PurePosixPath) -> Mount | None:
    """The mount holding ``path``: the longest mount point that is a prefix of it.

    Among equal mount points the last listed wins (it is mounted over the others).
    """
    best: Mount | None = None
    best_len = -1
    for mount in mounts:
        point = PurePosixPath(mount.mount_point)
        if _is_under(path, point) and len(point.parts) >= best_len:
            best, best_len = mount, len(point.parts)
    return best


def network_mount(mountinfo_text: str, path: PurePosixPath) -> Mount | None:
    """The network mount holding ``path``, or None when it is on a local file system."""
    mount = mount_of(parse_mountinfo(mountinfo_text), path)
    if mount is not None and mount.fs_type in NETWORK_FS_TYPES:
        return mount
    return None


# -- macOS: the output of ``mount`` ---------------------------------------------------

_BSD_MOUNT_LINE = re.compile(r"^(?P<source>.+?) on (?P<point>.+) \((?P<type>[^,)]+)[^)]*\)$")


def parse_bsd_mount(text: str) -> list[Mount]:
    """Mounts from macOS ``mount`` output: ``//user@server/share on /Volumes/x (smbfs, ...)``."""
    mounts = []
    for line in text.splitlines():
        match = _BSD_MOUNT_LINE.match(line.strip())
        if match:
            mounts.append(Mount(match["point"], match["type"].strip(), match["source"]))
    return mounts


def macos_network_mount(mount_text: str, path: PurePosixPath) -> Mount | None:
    mount = mount_of(parse_bsd_mount(mount_text), path)
    if mount is not None and mount.fs_type in MACOS_NETWORK_FS_TYPES:
        return mount
    return None


# -- Windows --------------------------------------------------------------------------


def windows_network_location(path_text: str, drive_type: int | None) -> str | None:
    r"""Why a Windows path is remote: a UNC path ``\\server\share``, or a network drive."""
    text = path_text
    if text.startswith("\\\\?\\"):  # the long-path prefix; \\?\UNC\server\share is UNC
        text = text[4:]
        if text.upper().startswith("UNC\\"):
            return f"on the network share \\\\{_unc_share(text[4:])}"
        return None if drive_type != DRIVE_REMOTE else f"on the network drive {text[:2]}"
    if text.startswith("\\\\") or text.startswith("//"):
        return f"on the network share \\\\{_unc_share(text[2:])}"
    if drive_type == DRIVE_REMOTE:
        return f"on the network drive {PureWindowsPath(text).drive or text[:2]}"
    return None


def _unc_share(rest: str) -> str:
    parts = [p for p in re.split(r"[\\/]", rest) if p]
    return "\\".join(parts[:2])


def _windows_drive_type(path: str) -> int | None:  # pragma: no cover - Windows only
    try:
        import ctypes

        root = os.path.splitdrive(path)[0]
        if not root:
            return None
        return int(ctypes.windll.kernel32.GetDriveTypeW(root.rstrip("\\/") + "\\"))
    except (OSError, AttributeError, ValueError):
        return None


# -- cloud-synced folders -------------------------------------------------------------

# (provider, pattern for one path component). Case-insensitive, except the short
# common words "Box" and "MEGA", which match only as their clients spell them.
_CLOUD_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("Dropbox", re.compile(r"dropbox(?: \(.+\))?", re.IGNORECASE)),
    ("OneDrive", re.compile(r"onedrive(?: - .+)?", re.IGNORECASE)),
    ("iCloud Drive", re.compile(r"icloud ?drive.*|mobile documents", re.IGNORECASE)),
    ("Google Drive", re.compile(r"google ?drive.*|my drive", re.IGNORECASE)),
    ("Box", re.compile(r"Box|Box Sync|Box-Box")),
    ("pCloud", re.compile(r"pcloud ?drive", re.IGNORECASE)),
    ("MEGA", re.compile(r"MEGA|MEGAsync")),
    ("Nextcloud", re.compile(r"nextcloud.*", re.IGNORECASE)),
    ("ownCloud", re.compile(r"owncloud.*", re.IGNORECASE)),
    ("Synology Drive", re.compile(r"synology ?drive.*", re.IGNORECASE)),
    ("Tresorit", re.compile(r"tresorit", re.IGNORECASE)),
    ("Yandex Disk", re.compile(r"yandex\.disk", re.IGNORECASE)),
)


def cloud_folder(path: PurePath) -> tuple[str, str] | None:
    """(provider, the synced folder) when ``path`` lies inside a cloud-synced folder.

    Matches the folder names the sync clients create (``Dropbox``, ``OneDrive - Company``,
    ``Library/Mobile Documents`` for iCloud Drive, ``My Drive``, ...) and macOS's
    ``Library/CloudStorage``, where every provider's folder lives.
    """
    parts = path.parts
    flavour = type(path)  # keep Windows paths Windows paths on any computer (tests)
    for index, part in enumerate(parts):
        for provider, pattern in _CLOUD_RULES:
            if pattern.fullmatch(part):
                return provider, str(flavour(*parts[: index + 1]))
        if part == "CloudStorage" and index > 0 and parts[index - 1] == "Library":
            # macOS names each provider's folder there, e.g. "GoogleDrive-ann@example.com".
            name = parts[index + 1] if index + 1 < len(parts) else ""
            known = (p for p, pattern in _CLOUD_RULES if pattern.fullmatch(name))
            provider = next(known, name.split("-", 1)[0] or "a cloud storage provider")
            return provider, str(flavour(*parts[: index + 2]))
    return None


# -- the warning ----------------------------------------------------------------------


def warning_text(folder: Path | PurePath, detected: str) -> Notice:
    """The user-facing warning for a vault folder found to be ``detected``."""
    first = (
        f"The vault folder {folder} is {detected}. SQLite databases, crmdesk's included, "
        "must not be used from network or cloud-synced folders: file locking does not "
        "work there, and the database files get corrupted (a sync service may also keep "
        "a stale or conflicting copy)."
    )
    return Notice(
        f"{first} Keep the vault on this computer's own disk (move the folder there and "
        "open it from there); to share it in an office, keep it on one office computer; "
        "and make backups.",
        "vault.shared_folder",
        {"first": first, "folder": folder, "detected": detected},
    )


def describe_mount(mount: Mount) -> str:
    return (
        f"on a network file system ({mount.fs_type} from {mount.source}, mounted at "
        f"{mount.mount_point})"
    )


def sharing_warning(folder: Path) -> Notice | None:
    """A warning when ``folder`` is on a network file system or in a cloud-synced folder."""
    absolute = Path(os.path.abspath(folder))
    try:
        resolved = absolute.resolve()
    except OSError:
        resolved = absolute
    # The path as given (a link into Dropbox) and where it leads (Dropbox via a link).
    for candidate in dict.fromkeys((absolute, resolved)):
        found = cloud_folder(candidate)
        if found:
            provider, synced = found
            return warning_text(folder, f"inside {synced}, a folder synced by {provider}")
    detected = _network_location(resolved)
    return warning_text(folder, detected) if detected else None


def _linux_mountinfo() -> str | None:
    try:
        return Path("/proc/self/mountinfo").read_text(encoding="utf-8", errors="surrogateescape")
    except OSError:
        return None


def _network_location(path: Path) -> str | None:
    if sys.platform.startswith("linux"):
        text = _linux_mountinfo()
        mount = network_mount(text, PurePosixPath(path)) if text is not None else None
        return describe_mount(mount) if mount else None
    if sys.platform == "darwin":  # pragma: no cover - macOS only
        # statvfs cannot tell a network volume; network shares are mounted under
        # /Volumes, and only then is asking ``mount`` worth a process.
        if not _is_under(PurePosixPath(path), PurePosixPath("/Volumes")):
            return None
        try:
            text = subprocess.run(
                ["/sbin/mount"], capture_output=True, text=True, timeout=2, check=False
            ).stdout
        except (OSError, subprocess.SubprocessError):
            return None
        mount = macos_network_mount(text, PurePosixPath(path))
        return describe_mount(mount) if mount else None
    if os.name == "nt":  # pragma: no cover - Windows only
        return windows_network_location(str(path), _windows_drive_type(str(path)))
    return None
