"""The real server (waitress) refuses oversized bodies itself, before Flask reads them."""

from __future__ import annotations

import socket

from .live import Server


def _raw(port: int, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(request)
        chunks = []
        while True:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks)


def test_waitress_answers_413_to_a_body_over_the_limit(tmp_path):
    server = Server(tmp_path / "instance", threads=2).start()
    try:
        # Only the headers: waitress refuses on Content-Length alone, so a phone
        # on a weak signal is not made to upload 12 MB to be told no.
        answer = _raw(
            server.port,
            b"POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/octet-stream\r\n"
            + f"Content-Length: {12 * 1024 * 1024}\r\n\r\n".encode(),
        )
        status_line = answer.split(b"\r\n", 1)[0]
        assert b" 413 " in status_line, answer[:300]
        assert b"<html" not in answer  # waitress's own answer, not the Flask page
        # Under the limit the same server answers normally (a CSRF refusal here).
        body = b"email=a%40b.test"
        answer = _raw(
            server.port,
            b"POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\n"
            + f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body,
        )
        assert b" 400 " in answer.split(b"\r\n", 1)[0], answer[:300]
        assert server.healthy()
    finally:
        server.stop()
    assert "Traceback" not in server.log_text()
