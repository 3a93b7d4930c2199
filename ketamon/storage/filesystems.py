"""Is a folder on a network filesystem? (Linux: /proc/self/mountinfo.)

SQLite's write-ahead log needs shared memory (the -shm file, memory-mapped) and POSIX locks
that every computer using the file agrees on; over NFS, SMB/CIFS, sshfs and the like
neither holds, and records are lost or the file is corrupted ("How To Corrupt An SQLite
Database File", §2.1 and §5; https://sqlite.org/wal.html). The Database refuses such a
folder, naming it; several workstations share a PostgreSQL server instead.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

MOUNTINFO = Path("/proc/self/mountinfo")

NETWORK_FSTYPES = frozenset(
    {
        # NFS, SMB / CIFS, AFS and other kernel network filesystems
        "nfs", "nfs4", "cifs", "smb", "smb2", "smb3", "smbfs", "ncpfs", "coda", "afs",
        "ceph", "glusterfs", "lustre", "gpfs", "beegfs", "orangefs", "pvfs2", "9p",
        "ocfs2", "gfs2", "davfs", "vboxsf", "vmhgfs", "prl_fs",
        # sshfs and other FUSE network filesystems
        "sshfs", "fuse.sshfs", "fuse.rclone", "fuse.s3fs", "fuse.gcsfuse", "fuse.davfs2",
        "fuse.glusterfs", "fuse.ceph", "fuse.ceph-fuse", "fuse.cephfs", "fuse.smbnetfs",
        "fuse.curlftpfs", "fuse.afpfs", "fuse.juicefs", "fuse.mfs", "fuse.moosefs",
        "fuse.lizardfs", "fuse.vmhgfs-fuse", "fuse.gvfsd-fuse", "fuse.goofys", "fuse.blobfuse",
        "fuse.blobfuse2", "fuse.onedriver", "fuse.seaweedfs", "fuse.wekafs",
    }
)  # fmt: skip


@dataclass(frozen=True)
class Mount:
    point: str
    fstype: str
    source: str


def _unescape(field: str) -> str:
    """mountinfo writes space, tab, newline and backslash as octal escapes (\\040...)."""
    out, i = [], 0
    while i < len(field):
        if field[i] == "\\" and field[i + 1 : i + 4].isdigit():
            out.append(chr(int(field[i + 1 : i + 4], 8)))
            i += 4
        else:
            out.append(field[i])
            i += 1
    return "".join(out)


def parse_mountinfo(text: str) -> list[Mount]:
    mounts = []
    for line in text.splitlines():
        fields = line.split()
        if "-" not in fields[6:]:
            continue
        dash = fields.index("-", 6)
        if len(fields) < dash + 3 or len(fields) < 5:
            continue
        mounts.append(Mount(_unescape(fields[4]), fields[dash + 1], _unescape(fields[dash + 2])))
    return mounts


def mount_of(folder: Path, mounts: list[Mount]) -> Mount | None:
    """The mount holding `folder`: the longest mount point that is the folder or above it
    (the last one mounted wins when several share a point)."""
    target = PurePosixPath(folder)
    best: Mount | None = None
    for mount in mounts:
        point = PurePosixPath(mount.point)
        if (point == target or point in target.parents) and (
            best is None or len(point.parts) >= len(PurePosixPath(best.point).parts)
        ):
            best = mount
    return best


def network_filesystem(folder: Path, mountinfo: str | None = None) -> Mount | None:
    """The network mount `folder` is on, or None (local disk, or no mountinfo: not Linux).

    mountinfo: the text of /proc/self/mountinfo; read from the system when None.
    """
    if mountinfo is None:
        try:
            mountinfo = MOUNTINFO.read_text("utf-8", errors="replace")
        except OSError:
            return None  # not Linux
    mount = mount_of(Path(os.path.realpath(folder)), parse_mountinfo(mountinfo))
    return mount if mount is not None and is_network(mount) else None


def is_network(mount: Mount) -> bool:
    if mount.fstype in NETWORK_FSTYPES:
        return True
    # Any other FUSE filesystem whose source names a remote host: user@host:/path,
    # //server/share, https://...
    source = mount.source
    remote = source.startswith("//") or "://" in source or ("@" in source and ":" in source)
    return mount.fstype.split(".", 1)[0] == "fuse" and remote
