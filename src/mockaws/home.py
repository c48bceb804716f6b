"""Where user state lives: the home folder, its transcripts and caches, the config file.

Apart from the settings (`config.py`) so that code which only needs a folder, such as the
bank's caches, does not import pydantic.
"""

from __future__ import annotations

import os
from pathlib import Path

HOME_ENV = "MOCKAWS_HOME"
CONFIG_ENV = "MOCKAWS_CONFIG"


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


def cache_dir() -> Path:
    """Where caches live: `<home>/cache`; all of it can be rebuilt, so it is safe to delete."""
    return home_dir() / "cache"


def config_path() -> Path:
    """The config file: `MOCKAWS_CONFIG`, else `<home>/config.toml` when `MOCKAWS_HOME` is set,
    else `config.toml` in the platform's user config folder."""
    explicit = os.environ.get(CONFIG_ENV)
    if explicit:
        return Path(explicit).expanduser()
    if os.environ.get(HOME_ENV):
        return home_dir() / "config.toml"
    from platformdirs import user_config_path

    return user_config_path("mockaws", appauthor=False) / "config.toml"
