"""A TLS front for a PostgreSQL server built without OpenSSL (the wheel's).

PostgreSQL negotiates TLS inside its own protocol: the client sends an SSLRequest (and,
when its libpq has GSSAPI, a GSSENCRequest first), the server answers one byte, `S` to go
on with a TLS handshake or `N` to refuse. This front answers those requests as a server
with `ssl=on` does, completes the handshake with the certificate it is given, then relays
the plaintext protocol to the real server over loopback. The workstation's side of the
connection, which is what KetaMon configures (sslmode=verify-full, sslrootcert, the host
name checked against the certificate, the password from pgpass), is then exercised as it
is against a real server with TLS; the server's own TLS code is PostgreSQL's, not ours.
"""

from __future__ import annotations

import select
import socket
import ssl
import struct
import threading
from pathlib import Path

SSL_REQUEST = 80877103
GSSENC_REQUEST = 80877104


def _read_exactly(sock: socket.socket, count: int) -> bytes:
    data = b""
    while len(data) < count:
        chunk = sock.recv(count - len(data))
        if not chunk:
            raise ConnectionError("client closed during negotiation")
        data += chunk
    return data


def _relay(secure: ssl.SSLSocket, backend: socket.socket) -> None:
    """Both directions from one thread: an SSL object is not for two threads at once."""
    peers = {secure: backend, backend: secure}
    try:
        while True:
            ready = [secure] if secure.pending() else select.select(list(peers), [], [])[0]
            for source in ready:
                chunk = source.recv(65536)
                if not chunk:
                    return
                peers[source].sendall(chunk)
    except OSError:
        pass
    finally:
        for sock in peers:
            sock.close()


class TlsFront:
    """Listens on 127.0.0.1; each connection is TLS to the client, plain to the server."""

    def __init__(self, backend_port: int, cert: Path, key: Path) -> None:
        self.backend_port = backend_port
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.minimum_version = ssl.TLSVersion.TLSv1_2
        self.context.load_cert_chain(str(cert), str(key))
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self.listener.getsockname()[1]
        self.handshakes: list[str] = []  # the TLS version of each completed handshake
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(client,), daemon=True).start()

    def _handle(self, client: socket.socket) -> None:
        try:
            while True:
                length, code = struct.unpack("!II", _read_exactly(client, 8))
                if length == 8 and code == GSSENC_REQUEST:
                    client.sendall(b"N")
                    continue
                if length == 8 and code == SSL_REQUEST:
                    client.sendall(b"S")
                    break
                client.close()  # a plaintext start-up: pg_hba's hostssl would refuse it
                return
            secure = self.context.wrap_socket(client, server_side=True)
        except (OSError, ConnectionError, ssl.SSLError):
            client.close()
            return
        self.handshakes.append(secure.version() or "")
        backend = socket.create_connection(("127.0.0.1", self.backend_port))
        _relay(secure, backend)

    def close(self) -> None:
        self.listener.close()
