"""Find the shipped data folders (questions/, prompts/) wherever mockaws is installed."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

_SOURCE_ROOT = Path(__file__).resolve().parents[2]


def data_dir(name: str) -> Path:
    """The shipped folder `name`: inside the wheel, or the source tree in an editable install."""
    packaged = Path(str(files("mockaws"))) / "_data" / name
    if packaged.is_dir():
        return packaged
    return _SOURCE_ROOT / name
