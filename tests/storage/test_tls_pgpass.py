"""A workstation's connection as the README sets it up: over TCP with TLS
(sslmode=verify-full, the clinic's CA in sslrootcert), the application role's password in
a pgpass file, nothing secret on a command line or in the URL.

The test run's shared server trusts every local login, so this module starts its own
(tests/pg.py) asking for SCRAM passwords over TCP, with a certificate for `localhost` signed
by a CA made here with `cryptography`. With a PostgreSQL installed on the computer (Debian's
postgresql package) that one runs, with `ssl=on` and `hostssl` only. The wheel's PostgreSQL
is built without OpenSSL: then the TLS is served by tests/tls_front.py in front of it, which
negotiates as PostgreSQL does and relays over loopback, so the workstation's side (what
KetaMon configures and the README tells the IT person to set) is checked on every computer.
"""

from __future__ import annotations

import datetime as dt
import io
import ipaddress
import os
import pwd
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from glob import glob
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from ketamon.cli import main
from ketamon.services.clinic import Clinic
from ketamon.services.keys import TEST_KDF
from ketamon.storage.database import StorageError
from ketamon.storage.location import resolve_db_url
from tests.conftest import NURSE, PASSWORD, draft
from tests.pg import SUPERUSER, TestServer
from tests.tls_front import TlsFront

pytestmark = pytest.mark.slow
APP_PASSWORD = "app password 12"
OWNER_PASSWORD = "owner password 1"
DATABASE = "ketamon"


def _certificate(subject: str, key, issuer=None, issuer_key=None, *, ca: bool) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)])
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer.subject if issuer else name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if not ca:
        builder = builder.add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
    return builder.sign(issuer_key or key, hashes.SHA256())


def _pem(path: Path, data: bytes, owner: str | None) -> Path:
    path.write_bytes(data)
    path.chmod(0o600)
    if owner is not None:
        entry = pwd.getpwnam(owner)
        os.chown(path, entry.pw_uid, entry.pw_gid)
    return path


@dataclass
class TlsServer:
    server: TestServer
    port: int
    ca: Path
    other_ca: Path
    front: TlsFront | None  # None: the server itself speaks TLS

    def url(self, role: str, database: str, ca: Path | None = None) -> str:
        url = f"postgresql+psycopg://{role}@localhost:{self.port}/{database}"
        return f"{url}?sslmode=verify-full&sslrootcert={ca or self.ca}"


def _system_postgresql() -> Path | None:
    found = sorted(glob("/usr/lib/postgresql/*/bin/postgres"))
    return Path(found[-1]).parent if found else None


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TlsServer]:
    certs = tmp_path_factory.mktemp("certs")
    system = _system_postgresql()
    server = TestServer(system)
    tls = system is not None  # else the wheel's server, without OpenSSL, behind a TLS front
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = _certificate("KetaMon test clinic CA", ca_key, ca=True)
    other_key = ec.generate_private_key(ec.SECP256R1())
    other = _certificate("Someone else's CA", other_key, ca=True)
    key = ec.generate_private_key(ec.SECP256R1())
    cert = _certificate("localhost", key, ca, ca_key, ca=False)
    encoding = serialization.Encoding.PEM
    _pem(server.data / "server.crt", cert.public_bytes(encoding), server.user)
    private = key.private_bytes(
        encoding, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    _pem(server.data / "server.key", private, server.user)
    ca_file = _pem(certs / "clinic-ca.crt", ca.public_bytes(encoding), None)
    other_file = _pem(certs / "other-ca.crt", other.public_bytes(encoding), None)
    # The administrator on the server's own socket; everyone else by password, over TLS.
    (server.data / "pg_hba.conf").write_text(
        f"local all {SUPERUSER} trust\n{'hostssl' if tls else 'host'} all all 127.0.0.1/32 "
        "scram-sha-256\n"
    )
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    options = f"-h 127.0.0.1 -p {port} -k {server.root} -c fsync=off"
    if tls:
        options += " -c ssl=on -c ssl_cert_file=server.crt -c ssl_key_file=server.key"
    server._run(
        "pg_ctl", "-D", str(server.data), "-l", str(server.log), "-o", options, "-w", "start"
    )
    admin = f"postgresql+psycopg://{SUPERUSER}@/postgres?host={server.root}&port={port}"
    init = ["db", "init-server", "--db", admin, "--database", DATABASE, "--owner"]
    init += ["ketamon_owner", "--app-role", "ketamon_app", "--password-stdin"]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("sys.stdin", io.StringIO(f"{OWNER_PASSWORD}\n{APP_PASSWORD}\n"))
        assert main(init) == 0
    front = None if tls else TlsFront(port, server.data / "server.crt", server.data / "server.key")
    try:
        yield TlsServer(server, front.port if front else port, ca_file, other_file, front)
    finally:
        if front is not None:
            front.close()
        server.remove()


def _pgpass(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lines: list[str]) -> Path:
    path = tmp_path / "pgpass"
    path.write_text("".join(f"{line}\n" for line in lines))
    path.chmod(0o600)  # libpq ignores a pgpass file others may read
    monkeypatch.setenv("PGPASSFILE", str(path))
    monkeypatch.delenv("PGPASSWORD", raising=False)
    return path


def test_a_workstation_connects_with_verify_full_and_its_pgpass_file(
    tls_server: TlsServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    clock,
) -> None:
    port, db = tls_server.port, DATABASE
    _pgpass(
        tmp_path,
        monkeypatch,
        [
            f"localhost:{port}:{db}:ketamon_owner:{OWNER_PASSWORD}",
            f"localhost:{port}:*:ketamon_app:{APP_PASSWORD}",
        ],
    )
    owner = tls_server.url("ketamon_owner", db)
    assert main(["db", "upgrade", "--db", owner]) == 0
    assert main(["db", "grant", "--db", owner, "--app-role", "ketamon_app"]) == 0
    out = capsys.readouterr()
    assert OWNER_PASSWORD not in out.out + out.err and APP_PASSWORD not in out.out + out.err

    # The workstation: its URL from the configuration file, its password from pgpass.
    config = tmp_path / "ketamon.toml"
    config.write_text(f'database = "{tls_server.url("ketamon_app", db)}"\n')
    monkeypatch.setenv("KETAMON_CONFIG", str(config))
    clinic = Clinic.open(resolve_db_url(None), clock, kdf=TEST_KDF)
    try:
        with clinic.db.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT current_user").scalar() == "ketamon_app"
            ssl = conn.exec_driver_sql("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
            if tls_server.front is None:
                assert ssl.scalar() is True
            else:  # the handshake was the front's; the server saw loopback in plain text
                assert tls_server.front.handshakes[-1] in {"TLSv1.2", "TLSv1.3"}
        clinic.users.create_first_admin(
            "nurse.jo", "Jo Rivera", "RN", PASSWORD, roles="nurse,admin"
        )
        clinic.patients.register(NURSE, draft())
        assert clinic.audit.verify() == []
    finally:
        clinic.close(anchor=False)


def test_a_server_whose_certificate_the_clinic_ca_did_not_sign_is_refused(
    tls_server: TlsServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clock
) -> None:
    _pgpass(tmp_path, monkeypatch, [f"*:*:*:ketamon_app:{APP_PASSWORD}"])
    url = tls_server.url("ketamon_app", "postgres", ca=tls_server.other_ca)
    with pytest.raises(StorageError) as refused:
        Clinic.open(url, clock, kdf=TEST_KDF)
    assert "certificate verify failed" in str(refused.value)


def test_without_its_password_a_workstation_is_refused_in_words(
    tls_server: TlsServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clock
) -> None:
    _pgpass(tmp_path, monkeypatch, [])
    with pytest.raises(StorageError) as refused:
        Clinic.open(tls_server.url("ketamon_app", "postgres"), clock, kdf=TEST_KDF)
    assert "password" in str(refused.value)
    assert "Traceback" not in str(refused.value)


def test_a_server_whose_certificate_names_another_host_is_refused(
    tls_server: TlsServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clock
) -> None:
    _pgpass(tmp_path, monkeypatch, [f"*:*:*:ketamon_app:{APP_PASSWORD}"])
    # The right address, but the name asked for is not the one on the certificate.
    url = tls_server.url("ketamon_app", "postgres").replace("@localhost:", "@db.clinic.example:")
    with pytest.raises(StorageError) as refused:
        Clinic.open(f"{url}&hostaddr=127.0.0.1", clock, kdf=TEST_KDF)
    assert 'does not match host name "db.clinic.example"' in str(refused.value)
