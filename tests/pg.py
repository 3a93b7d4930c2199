"""A PostgreSQL server the test run starts itself, from the `pgserver` wheel's binaries.

The wheel ships PostgreSQL (bin, lib, share) inside the package, so a fresh machine needs
nothing but `pip install -e ".[test]"`. We drive its initdb and pg_ctl ourselves instead of
pgserver.get_server(), which as root adds a system user with `useradd` and opens every
folder above the data folder and the site-packages to everyone (chmod o+rx up to /):

- PostgreSQL refuses to run as root. As root, the server runs as `nobody` (every Debian and
  Ubuntu image has it) from a copy of the binaries in the server's own temporary folder
  (35 MB, about 0.2 s), since the virtualenv may sit under a folder `nobody` cannot enter
  (/root is 0700). The folder is handed to `nobody`; nothing outside it changes.
- As any other user, the server runs as that user from the wheel's binaries in place.

The server listens on a Unix socket in its folder only (no TCP port to collide with), with
fsync off (a crash of a test server loses nothing anyone needs).
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from importlib.util import find_spec
from pathlib import Path

RUN_AS_WHEN_ROOT = "nobody"
SUPERUSER = "postgres"


def wheel_install() -> Path:
    """The pgserver wheel's PostgreSQL (bin, lib, share), found without importing pgserver
    (its import reads the user's runtime folder and warns when XDG_RUNTIME_DIR is unset)."""
    spec = find_spec("pgserver")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the pgserver package is missing: pip install -e '.[test]'")
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall"


class TestServer:
    """One PostgreSQL server in a temporary folder: start(), stop(), url(database)."""

    __test__ = False  # not a test class, whatever its name

    def __init__(self, system_bin: Path | None = None) -> None:
        """system_bin: a PostgreSQL installed on this computer (its bin folder, readable by
        everyone) instead of the wheel's; the TLS test needs one built with OpenSSL."""
        self.root = Path(tempfile.mkdtemp(prefix="ketamon-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.user: str | None = None  # the system user the server runs as, None: us
        install = system_bin.parent if system_bin else wheel_install()
        if os.geteuid() == 0 and system_bin:
            self.user = RUN_AS_WHEN_ROOT
            self.root.chmod(0o755)
            entry = pwd.getpwnam(self.user)
            os.chown(self.root, entry.pw_uid, entry.pw_gid)
        elif os.geteuid() == 0:
            self.user = RUN_AS_WHEN_ROOT
            # The wheel's layout: the programs find their libraries at
            # $ORIGIN/../../../pgserver.libs (auditwheel's RPATH).
            site = self.root / "site"
            for part in ("bin", "lib", "share"):
                shutil.copytree(install / part, site / "pgserver/pginstall" / part, symlinks=True)
            shutil.copytree(install.parent.parent / "pgserver.libs", site / "pgserver.libs")
            install = site / "pgserver/pginstall"
            entry = pwd.getpwnam(self.user)
            self.root.chmod(0o755)
            for folder, _dirs, files in os.walk(self.root):
                os.chown(folder, entry.pw_uid, entry.pw_gid)
                for name in files:
                    os.chown(Path(folder) / name, entry.pw_uid, entry.pw_gid, follow_symlinks=False)
        self.bin = install / "bin"
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            SUPERUSER,
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
        )

    def _run(self, program: str, *args: str) -> str:
        result = subprocess.run(
            [str(self.bin / program), *args],
            user=self.user,
            cwd=self.root,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=60,
        )
        if result.returncode != 0:
            log = self.log.read_text() if self.log.exists() else ""
            raise RuntimeError(
                f"{program} {' '.join(args)} failed ({result.returncode}):\n"
                f"{result.stdout}\n{result.stderr}\n{log}"
            )
        return result.stdout

    def start(self) -> None:
        options = (
            f"-h '' -k {self.root} -c fsync=off -c full_page_writes=off -c max_connections=200"
        )
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def restart(self) -> None:
        """Stop and start again: every open connection is cut, as at a server reboot."""
        self.stop()
        self.start()

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{SUPERUSER}@/{database}?host={self.root}"

    def remove(self) -> None:
        """Stop (if running) and delete the folder."""
        if (self.data / "postmaster.pid").exists():
            self.stop()
        shutil.rmtree(self.root, ignore_errors=True)
