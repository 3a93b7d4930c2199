"""A database on a network filesystem is refused, naming the file and why (the mounts are
made up: /proc/self/mountinfo text handed in)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ketamon.storage.database import Database, StorageError
from ketamon.storage.filesystems import (
    Mount,
    mount_of,
    network_filesystem,
    parse_mountinfo,
)


def mountinfo(*mounts: tuple[str, str, str]) -> str:
    """Lines as the kernel writes them: id parent dev root point options - type source."""
    lines = ["22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda1 rw"]
    for i, (point, fstype, source) in enumerate(mounts, start=30):
        lines.append(f"{i} 22 0:{i} / {point} rw,relatime shared:{i} - {fstype} {source} rw")
    return "\n".join(lines) + "\n"


def test_mountinfo_lines_are_read_with_their_escapes() -> None:
    text = mountinfo(("/mnt/clinic\\040share", "cifs", "//nas/clinic"))
    assert parse_mountinfo(text)[-1] == Mount("/mnt/clinic share", "cifs", "//nas/clinic")


def test_lines_without_optional_fields_and_garbage_are_handled() -> None:
    text = "40 22 0:40 / /srv rw - nfs4 nas:/srv rw\nnot a mount line\n"
    assert parse_mountinfo(text) == [Mount("/srv", "nfs4", "nas:/srv")]


def test_the_longest_mount_point_above_the_folder_wins() -> None:
    mounts = parse_mountinfo(
        mountinfo(("/mnt", "nfs4", "nas:/export"), ("/mnt/local", "ext4", "/dev/vdb1"))
    )
    assert mount_of(Path("/mnt/local/clinic"), mounts).fstype == "ext4"
    assert mount_of(Path("/mnt/localother"), mounts).fstype == "nfs4"  # not a prefix by text
    assert mount_of(Path("/mnt"), mounts).fstype == "nfs4"
    assert mount_of(Path("/home/kim"), mounts).fstype == "ext4"


@pytest.mark.parametrize(
    ("fstype", "source"),
    [
        ("nfs", "nas:/export"),
        ("nfs4", "nas:/export"),
        ("cifs", "//nas/clinic"),
        ("smb3", "//nas/clinic"),
        ("smbfs", "//nas/clinic"),
        ("fuse.sshfs", "kim@server:/data"),
        ("sshfs", "kim@server:/data"),
        ("9p", "hostshare"),
        ("afs", "AFS"),
        ("ceph", "10.0.0.1:/"),
        ("glusterfs", "server:/vol"),
        ("fuse.rclone", "gdrive:"),
        ("fuse.someremotefs", "kim@server:/data"),  # unknown FUSE, remote-looking source
    ],
)
def test_network_filesystems_are_recognised(tmp_path: Path, fstype: str, source: str) -> None:
    text = mountinfo(("/srv/share", fstype, source))
    assert network_filesystem(Path("/srv/share/clinic"), text).fstype == fstype


@pytest.mark.parametrize(
    ("fstype", "source"),
    [("ext4", "/dev/vdb1"), ("xfs", "/dev/vdb1"), ("tmpfs", "tmpfs"), ("fuse", "/dev/sdb1")],
)
def test_local_filesystems_are_fine(fstype: str, source: str) -> None:
    text = mountinfo(("/srv/share", fstype, source))
    assert network_filesystem(Path("/srv/share/clinic"), text) is None


def test_a_database_on_nfs_is_refused_naming_the_file_and_why(tmp_path: Path) -> None:
    text = mountinfo((str(tmp_path), "nfs4", "nas.clinic.lan:/export/ketamon"))
    db = tmp_path / "ketamon.sqlite3"
    with pytest.raises(StorageError) as refused:
        Database(f"sqlite:///{db}", mountinfo=text)
    message = str(refused.value)
    assert message.startswith(f"Database {db}: the file is on a network filesystem (nfs4 at ")
    assert "write-ahead log does not work over a network filesystem" in message
    assert "PostgreSQL" in message
    assert not db.exists()  # nothing was created there


def test_the_same_folder_on_a_local_disk_opens(tmp_path: Path) -> None:
    db = Database(
        f"sqlite:///{tmp_path / 'ketamon.sqlite3'}",
        mountinfo=mountinfo((str(tmp_path), "ext4", "/dev/vdb1")),
    )
    try:
        db.check_connection()
    finally:
        db.dispose()


def test_this_machines_own_mounts_are_read(tmp_path: Path) -> None:
    # The temporary folder of the tests is on a local disk here.
    assert network_filesystem(tmp_path) is None
