"""Where user state lives, and the settings commands share."""

from __future__ import annotations

import os
from pathlib import Path

HOME_ENV = "MOCKAWS_HOME"


def home_dir() -> Path:
    """All user state lives here: `MOCKAWS_HOME` if set, else the platform's user data folder."""
    override = os.environ.get(HOME_ENV)
    if override:
        return Path(override).expanduser()
    from platformdirs import user_data_path

    return user_data_path("mockaws", appauthor=False)


def transcripts_dir(override: Path | None = None) -> Path:
    """The transcripts folder: `--transcripts-dir` if given, else `<home>/transcripts`."""
    return override if override is not None else home_dir() / "transcripts"
