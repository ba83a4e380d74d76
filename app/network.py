"""Where phones can reach this server."""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1", "0.0.0.0"}


def lan_address() -> str | None:
    """The address other machines on the network most likely reach us at."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        # A UDP "connect" sends nothing; it only asks the kernel which local
        # address it would route from. 192.0.2.1 is a documentation address.
        probe.connect(("192.0.2.1", 9))
        address = probe.getsockname()[0]
    except OSError:
        return None
    finally:
        probe.close()
    return None if address.startswith("127.") else address


def suggest_public_url(host_url: str) -> str:
    """The address a browser used to reach us, unless that was this machine itself."""
    parts = urlsplit(host_url)
    if (parts.hostname or "") not in LOOPBACK_HOSTS:
        return f"{parts.scheme}://{parts.netloc}"
    lan = lan_address()
    if lan is None:
        return ""
    port = f":{parts.port}" if parts.port else ""
    return f"http://{lan}{port}"
