"""Shared fixtures: every test gets its own MOCKAWS_HOME, and no test reaches the network."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mockaws.grading.scoring import CREDIT
from mockaws.models import Verdict

DATA = Path(__file__).parent / "data"
MINI_BANK = DATA / "mini_bank.toml"

# A good answer to the mini bank's security-group question, the labels an honest model gives it
# (point id: verdict, quote), and what they earn of the rubric's 10: sg-stateful (3) and
# nacl-stateless (3) covered, sg-instance-level (2) partial.
SG_ANSWER = (
    "Security groups are stateful, so return traffic is allowed automatically. "
    "NACLs are stateless and work at the subnet level, so you open ephemeral ports both ways."
)
SG_HONEST = {
    "sg-stateful": ("covered", "Security groups are stateful"),
    "nacl-stateless": ("covered", "NACLs are stateless"),
    "sg-instance-level": ("partial", "work at the subnet level"),
}
SG_HONEST_SCORE = round(100 * (3 + 3 + 2 * CREDIT[Verdict.PARTIAL]) / 10)

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
