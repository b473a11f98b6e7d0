"""Warnings for vault folders on network file systems or in cloud-synced folders."""

from __future__ import annotations

from pathlib import PurePosixPath, PureWindowsPath

import pytest

from crmdesk.vault import location
from crmdesk.vault.location import (
    cloud_folder,
    macos_network_mount,
    network_mount,
    parse_mountinfo,
    sharing_warning,
    warning_text,
    windows_network_location,
)

MOUNTINFO = "\n".join(
    [
        "22 1 252:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw",
        "30 22 0:26 / /proc rw,nosuid shared:12 - proc proc rw",
        "41 22 0:40 / /home rw,relatime shared:20 - ext4 /dev/vda2 rw",
        "57 41 0:51 / /home/ann/shared rw,relatime shared:30 - nfs4 files:/export/ann rw,vers=4.2",
        # A mount point with a space, escaped as mountinfo does (\040).
        r"58 41 0:52 / /home/ann/Team\040Files rw - cifs //nas/team\040files rw,vers=3.1.1",
        "59 41 0:53 / /home/ann/remote rw,nosuid,nodev - fuse.sshfs ann@host:/srv rw",
        "60 22 0:54 / /mnt/nf rw - ext4 /dev/sdb1 rw",
        "61 22 0:55 / /mnt/wsl/c rw,noatime - 9p C:\\134 rw,dirsync,aname=drvfs",
        # Mounted over the NFS mount: the later line wins for the same mount point.
        "62 57 0:56 / /home/ann/shared/local rw - nfs4 files:/x rw",
        "63 62 0:57 / /home/ann/shared/local rw - ext4 /dev/sdc1 rw",
        "garbage line without fields",
    ]
)


@pytest.mark.parametrize(
    ("path", "fs_type"),
    [
        ("/home/ann/shared/vault", "nfs4"),
        ("/home/ann/shared", "nfs4"),
        ("/home/ann/Team Files/crm/vault", "cifs"),
        ("/home/ann/remote/vault", "fuse.sshfs"),
        ("/mnt/wsl/c/Users/ann/vault", "9p"),
    ],
)
def test_network_mounts_are_found(path, fs_type):
    mount = network_mount(MOUNTINFO, PurePosixPath(path))
    assert mount is not None and mount.fs_type == fs_type


@pytest.mark.parametrize(
    "path",
    [
        "/home/ann/vault",
        "/home/ann/shared-not/vault",  # a prefix by characters, not by folders
        "/mnt/nfs/vault",  # /mnt/nf is not a prefix of /mnt/nfs
        "/home/ann/shared/local/vault",  # a local disk mounted inside the share
        "/",
    ],
)
def test_local_paths_are_not_network_mounts(path):
    assert network_mount(MOUNTINFO, PurePosixPath(path)) is None


def test_mountinfo_escapes_are_undone():
    mounts = {m.mount_point: m for m in parse_mountinfo(MOUNTINFO)}
    assert mounts["/home/ann/Team Files"].source == "//nas/team files"
    assert mounts["/mnt/wsl/c"].source == "C:\\"
    assert len(mounts) == 9  # the garbage line is skipped


def test_macos_mount_output():
    text = "\n".join(
        [
            "/dev/disk3s1s1 on / (apfs, sealed, local, read-only, journaled)",
            "//ann@nas/Team on /Volumes/Team (smbfs, nodev, nosuid, mounted by ann)",
            "/dev/disk4s1 on /Volumes/USB Stick (msdos, local, nodev, nosuid, noowners)",
        ]
    )
    smb = macos_network_mount(text, PurePosixPath("/Volumes/Team/crm/vault"))
    assert smb is not None and smb.fs_type == "smbfs"
    assert macos_network_mount(text, PurePosixPath("/Volumes/USB Stick/vault")) is None


@pytest.mark.parametrize(
    ("path", "provider"),
    [
        (PurePosixPath("/home/ann/Dropbox/crm/vault"), "Dropbox"),
        (PureWindowsPath(r"C:\Users\ann\Dropbox (Acme)\vault"), "Dropbox"),
        (PureWindowsPath(r"C:\Users\ann\OneDrive\Documents\vault"), "OneDrive"),
        (PureWindowsPath(r"C:\Users\ann\OneDrive - Acme Corp\vault"), "OneDrive"),
        (PureWindowsPath(r"C:\Users\ann\iCloudDrive\vault"), "iCloud Drive"),
        (PurePosixPath("/Users/ann/iCloud Drive/vault"), "iCloud Drive"),
        (
            PurePosixPath("/Users/ann/Library/Mobile Documents/com~apple~CloudDocs/vault"),
            "iCloud Drive",
        ),
        (PurePosixPath("/Users/ann/Library/CloudStorage/Box-Box/vault"), "Box"),
        (
            PurePosixPath("/Users/ann/Library/CloudStorage/GoogleDrive-ann@example.com/vault"),
            "Google Drive",
        ),
        (
            PurePosixPath("/Users/ann/Library/CloudStorage/OneDrive-Personal/vault"),
            "OneDrive",
        ),
        (PureWindowsPath(r"G:\My Drive\vault"), "Google Drive"),
        (PurePosixPath("/Users/ann/Google Drive/vault"), "Google Drive"),
        (PurePosixPath("/home/ann/GoogleDrive/vault"), "Google Drive"),
        (PureWindowsPath(r"C:\Users\ann\Box\vault"), "Box"),
        (PurePosixPath("/Users/ann/pCloud Drive/vault"), "pCloud"),
        (PurePosixPath("/home/ann/MEGA/vault"), "MEGA"),
        (PurePosixPath("/home/ann/Nextcloud/vault"), "Nextcloud"),
        (PurePosixPath("/home/ann/ownCloud/vault"), "ownCloud"),
        (PurePosixPath("/home/ann/SynologyDrive/vault"), "Synology Drive"),
    ],
)
def test_cloud_folders_are_recognised(path, provider):
    found = cloud_folder(path)
    assert found is not None and found[0] == provider


@pytest.mark.parametrize(
    "path",
    [
        PurePosixPath("/home/ann/.local/share/crmdesk/vault"),
        PurePosixPath("/home/ann/boxes/vault"),  # "box" is a word, not only a provider
        PurePosixPath("/home/ann/mega-project/vault"),
        PureWindowsPath(r"C:\Users\ann\AppData\Local\crmdesk\vault"),
    ],
)
def test_ordinary_folders_are_not_cloud_folders(path):
    assert cloud_folder(path) is None


def test_the_synced_folder_is_named():
    path = PureWindowsPath(r"C:\Users\ann\OneDrive - Acme Corp\crm\vault")
    assert cloud_folder(path) == ("OneDrive", r"C:\Users\ann\OneDrive - Acme Corp")


@pytest.mark.parametrize(
    ("path", "drive_type", "expected"),
    [
        (r"\\server\share\crm\vault", None, r"on the network share \\server\share"),
        (r"\\?\UNC\server\share\vault", None, r"on the network share \\server\share"),
        (r"Z:\crm\vault", 4, "on the network drive Z:"),
        (r"C:\Users\ann\vault", 3, None),  # DRIVE_FIXED
        (r"\\?\C:\Users\ann\vault", 3, None),
    ],
)
def test_windows_paths(path, drive_type, expected):
    assert windows_network_location(path, drive_type) == expected


def test_the_warning_says_what_to_do():
    text = warning_text("/home/ann/Dropbox/vault", "inside /home/ann/Dropbox, a folder synced")
    assert "/home/ann/Dropbox" in text
    assert "must not be used from network or cloud-synced folders" in text
    assert "locking does not work" in text and "corrupted" in text
    assert "own disk" in text and "one office computer" in text and "make backups" in text
    assert text.code == "vault.shared_folder"  # each edge says how to move it and back up


def test_a_local_folder_gives_no_warning(tmp_path):
    assert sharing_warning(tmp_path) is None


def test_a_cloud_folder_on_this_computer_is_warned_about(tmp_path):
    folder = tmp_path / "Dropbox" / "vault"
    folder.mkdir(parents=True)
    warning = sharing_warning(folder)
    assert warning is not None and "synced by Dropbox" in warning


def test_a_link_into_a_cloud_folder_is_followed(tmp_path):
    target = tmp_path / "OneDrive" / "vault"
    target.mkdir(parents=True)
    link = tmp_path / "vault-link"
    link.symlink_to(target)
    assert "OneDrive" in (sharing_warning(link) or "")


def test_a_network_mount_is_warned_about(tmp_path, monkeypatch):
    fake = f"1 0 0:1 / / rw - ext4 /dev/vda rw\n2 1 0:2 / {tmp_path} rw - nfs4 files:/x rw\n"
    monkeypatch.setattr(location.sys, "platform", "linux")
    monkeypatch.setattr(location, "_linux_mountinfo", lambda: fake)
    warning = sharing_warning(tmp_path)
    assert warning is not None and "network file system (nfs4 from files:/x" in warning


def test_status_carries_the_warning(vault):
    assert vault.status().sharing_warning is None
