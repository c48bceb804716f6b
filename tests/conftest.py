"""Shared fixtures: every test gets its own MOCKAWS_HOME, and no test reaches the network."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

DATA = Path(__file__).parent / "data"
MINI_BANK = DATA / "mini_bank.toml"

_real_connect = socket.socket.connect


def _loopback_only(self: socket.socket, address: Any) -> Any:
    host = address[0] if isinstance(address, tuple) else None
    if host is not None:
        try:
            allowed = host == "localhost" or ipaddress.ip_address(host).is_loopback
        except ValueError:
            allowed = False
        if not allowed:
            raise RuntimeError(f"test tried to reach the network: {address!r}")
    return _real_connect(self, address)


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    home = tmp_path / "home"
    monkeypatch.setenv("MOCKAWS_HOME", str(home))
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "MOCKAWS_MODEL", "MOCKAWS_BANK"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(socket.socket, "connect", _loopback_only)
    yield home


@pytest.fixture
def home(_isolated: Path) -> Path:
    """The MOCKAWS_HOME of this test."""
    return _isolated
