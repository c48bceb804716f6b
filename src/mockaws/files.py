"""Files the way every module should touch them: atomic writes, one writer per session, and
reads that cannot hang, exhaust memory or recurse without bound on a hostile file."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import stat
import tempfile
import threading
import time
from pathlib import Path
from typing import IO, Any

MAX_FILE_BYTES = 64 * 1024 * 1024  # far above any bank, transcript or answer a person writes
STALE_TEMP_SECONDS = 3600  # a save takes milliseconds: an hour-old temp file is a killed save
TEMP_SUFFIX = ".tmp"


class NotRegularFileError(OSError):
    """A FIFO, device or folder where a file was expected: reading it could hang or never end."""

    def __init__(self, path: Path) -> None:
        super().__init__(errno.EINVAL, "not a regular file", str(path))


class FileTooLargeError(OSError):
    """A file larger than anything mockaws would write or a person would type."""

    def __init__(self, path: Path, limit: int) -> None:
        super().__init__(errno.EFBIG, f"larger than {limit // (1024 * 1024)} MB", str(path))


def describe_os_error(exc: OSError) -> str:
    """`no space left on device`, `permission denied`: the reason, lower-case, without errno."""
    reason = exc.strerror or str(exc) or type(exc).__name__
    return reason[:1].lower() + reason[1:]


def read_text(path: Path, *, limit: int = MAX_FILE_BYTES) -> str:
    """A regular file's text (UTF-8), refusing FIFOs, devices and files over `limit` bytes.

    Raises OSError (including the two above) and UnicodeDecodeError.
    """
    return read_bytes(path, limit=limit).decode("utf-8")


def read_bytes(path: Path, *, limit: int = MAX_FILE_BYTES) -> bytes:
    """A regular file's bytes, refusing FIFOs, devices and files over `limit` bytes."""
    # O_NONBLOCK: opening a FIFO with no writer would otherwise block before fstat can refuse it.
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise NotRegularFileError(path)
        if info.st_size > limit:
            raise FileTooLargeError(path, limit)
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise FileTooLargeError(path, limit)
    return data


def loads_json(text: str) -> Any:
    """`json.loads`, with nesting too deep to parse reported as a JSONDecodeError."""
    try:
        return json.loads(text)
    except RecursionError:
        raise json.JSONDecodeError("nested too deeply to read", text, 0) from None


def atomic_write_text(path: Path, text: str, *, make_parents: bool = True) -> None:
    """Write via a temp file in the same folder and rename, so a crash never leaves half a file."""
    atomic_write_bytes(path, text.encode("utf-8"), make_parents=make_parents)


def atomic_write_bytes(path: Path, data: bytes, *, make_parents: bool = True) -> None:
    """`atomic_write_text` for bytes (recordings, and text already encoded)."""
    if make_parents:
        path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise


def remove_stale_temps(folder: Path, *, older_than: float = STALE_TEMP_SECONDS) -> int:
    """Delete temp files left by saves that were killed mid-write; returns how many."""
    removed = 0
    cutoff = time.time() - older_than
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            if not (entry.name.startswith(".") and entry.name.endswith(TEMP_SUFFIX)):
                continue
            with contextlib.suppress(OSError):
                if entry.is_file(follow_symlinks=False) and entry.stat().st_mtime < cutoff:
                    os.unlink(entry.path)
                    removed += 1
    return removed


# ---------------------------------------------------------------- one writer per session


class LockHeldError(Exception):
    """Another process holds the lock; `pid` is the holder's when it could be read."""

    def __init__(self, path: Path, pid: int | None) -> None:
        super().__init__(f"{path} is locked by process {pid or 'unknown'}")
        self.path = path
        self.pid = pid


_held: dict[Path, tuple[IO[str], int]] = {}  # lock path -> (open file, holders in this process)
_held_guard = threading.Lock()


class FileLock:
    """An advisory lock (flock) on `path`: the OS drops it when the holding process dies, so a
    `kill -9` never leaves a session locked. Re-entrant within one process."""

    def __init__(self, path: Path) -> None:
        self.path = path.absolute()
        self._mine = False

    def acquire(self) -> None:
        """Take the lock, or raise LockHeldError naming the process that has it."""
        import fcntl

        with _held_guard:
            if self.path in _held:
                handle, count = _held[self.path]
                _held[self.path] = (handle, count + 1)
                self._mine = True
                return
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 - kept open while held
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.seek(0)
                text = handle.read().strip()
                handle.close()
                raise LockHeldError(self.path, int(text) if text.isdigit() else None) from None
            except BaseException:
                handle.close()
                raise
            handle.seek(0)
            handle.truncate()
            handle.write(str(os.getpid()))
            handle.flush()
            _held[self.path] = (handle, 1)
            self._mine = True

    def release(self) -> None:
        """Let go (the last holder in this process unlocks and closes)."""
        with _held_guard:
            if not self._mine or self.path not in _held:
                return
            self._mine = False
            handle, count = _held[self.path]
            if count > 1:
                _held[self.path] = (handle, count - 1)
                return
            del _held[self.path]
            with contextlib.suppress(OSError):
                handle.truncate(0)
            handle.close()  # closing the descriptor drops the flock

    def __enter__(self) -> FileLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
