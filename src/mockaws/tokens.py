"""Token counts that never touch the network, and what tokens cost.

Exact counts come from tiktoken when its encoding file is already in tiktoken's cache, or from
toktok (`pip install 'mockaws[tokens]'`), which has the encodings compiled in. tiktoken downloads
a missing encoding with no timeout, so mockaws never lets it try: without a cached file or toktok
the count is an estimate, and every figure built on it says so (`Usage.estimated`).
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from mockaws.models import Transcript, Usage

DEFAULT_ENCODING = "o200k_base"
# Where tiktoken's own loader fetches each encoding from; the cache file is named by its hash.
_TIKTOKEN_URL = "https://openaipublic.blob.core.windows.net/encodings/{name}.tiktoken"
# tiktoken re-downloads a cached file whose content does not match these (from tiktoken_ext),
# so a file is only used after the same check.
_TIKTOKEN_SHA256 = {
    "o200k_base": "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
    "cl100k_base": "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
}

# Estimate: one token per word piece, number group or run of punctuation, as the BPE
# pre-tokeniser splits text, plus one for every further 7 letters of a long word
# (fitted to o200k over the question bank: median text within 3%, worst within 30%).
_PIECE = re.compile(r"[^\W\d_]+|\d{1,3}|[^\w\s]+|_+")
_LETTERS_PER_EXTRA_TOKEN = 7


@dataclass(frozen=True)
class TokenCount:
    tokens: int
    estimated: bool


@dataclass(frozen=True)
class Counter:
    """A way of counting tokens: `exact` is False for the offline estimate."""

    name: str
    exact: bool
    count: Callable[[str], int]


def estimate_tokens(text: str) -> int:
    """A tokeniser-free estimate of the o200k token count of English prose, markdown or JSON."""
    total = 0
    for piece in _PIECE.findall(text):
        total += 1
        if piece[0].isalpha() and len(piece) > _LETTERS_PER_EXTRA_TOKEN:
            total += (len(piece) - 1) // _LETTERS_PER_EXTRA_TOKEN
    return total


def encoding_for_model(model: str | None) -> str:
    """The tiktoken encoding of a model; current OpenAI models (and unknown ones) use o200k."""
    if model:
        try:
            from tiktoken.model import encoding_name_for_model

            return encoding_name_for_model(model)
        except (KeyError, ImportError):
            pass
    return DEFAULT_ENCODING


def tiktoken_cache_file(encoding: str) -> Path | None:
    """Where tiktoken keeps `encoding` once fetched (None when its cache is switched off)."""
    for variable in ("TIKTOKEN_CACHE_DIR", "DATA_GYM_CACHE_DIR"):
        if variable in os.environ:
            folder = os.environ[variable]
            break
    else:
        folder = os.path.join(tempfile.gettempdir(), "data-gym-cache")
    if not folder:
        return None
    url = _TIKTOKEN_URL.format(name=encoding)
    return Path(folder) / hashlib.sha1(url.encode()).hexdigest()


def _tiktoken_file_ready(encoding: str) -> bool:
    cached = tiktoken_cache_file(encoding)
    expected = _TIKTOKEN_SHA256.get(encoding)
    if cached is None or expected is None or not cached.is_file():
        return False  # loading would mean a download: never from here
    try:
        # A file that does not match, tiktoken would fetch again.
        return hashlib.sha256(cached.read_bytes()).hexdigest() == expected
    except OSError:
        return False


def _tiktoken_counter(encoding: str) -> Counter | None:
    if not _tiktoken_file_ready(encoding):
        return None
    try:
        import tiktoken

        enc = tiktoken.get_encoding(encoding)
    except Exception:  # a corrupt cache file or a tiktoken change: fall back, never crash
        return None
    return Counter(f"tiktoken {encoding}", True, lambda text: len(enc.encode_ordinary(text)))


def _toktok_counter(encoding: str) -> Counter | None:
    try:
        import toktok

        toktok.batch_count(["probe"], encoding)
    except Exception:  # not installed, or no such encoding in it
        return None
    return Counter(
        f"toktok {encoding}", True, lambda text: int(toktok.batch_count([text], encoding)[0])
    )


@cache
def counter_for(model: str | None = None) -> Counter:
    """The best offline token counter for `model`'s encoding."""
    encoding = encoding_for_model(model)
    return (
        _tiktoken_counter(encoding)
        or _toktok_counter(encoding)
        or Counter("estimate", False, estimate_tokens)
    )


def counter_name(model: str | None = None) -> str:
    """The name of the counter `counter_for(model)` gives, found without loading an encoding.

    Loading one takes a good part of a second, too long for a command that only names it.
    """
    encoding = encoding_for_model(model)
    if _tiktoken_file_ready(encoding) and _importable("tiktoken"):
        return f"tiktoken {encoding}"
    try:
        import toktok

        # The encodings compiled into toktok; without that list, only loading one tells.
        compiled_in = getattr(toktok, "_BUILTIN", None)
    except Exception:  # not installed, or broken: counter_for would not use it either
        return "estimate"
    if isinstance(compiled_in, list | tuple):
        usable = encoding in compiled_in
    else:
        usable = _toktok_counter(encoding) is not None
    return f"toktok {encoding}" if usable else "estimate"


def _importable(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):  # a module blocked or half-imported
        return False


def count_tokens(text: str, model: str | None = None) -> TokenCount:
    """Tokens in `text` for `model`: exact when an encoding is at hand, else marked estimated."""
    counter = counter_for(model)
    return TokenCount(counter.count(text), not counter.exact)


def truncate_to_tokens(text: str, limit: int, model: str | None = None) -> str:
    """The longest prefix of `text`, cut at a word boundary, that is at most `limit` tokens."""
    counter = counter_for(model)
    if counter.count(text) <= limit:
        return text
    low, high = 0, len(text)
    while low < high:  # binary search on characters: counters need no decode step
        middle = (low + high + 1) // 2
        if counter.count(text[:middle]) <= limit:
            low = middle
        else:
            high = middle - 1
    cut = text[:low]
    space = cut.rfind(" ")
    return cut[:space] if space > len(cut) // 2 else cut


# ------------------------------------------------------------------------- prices


@dataclass(frozen=True)
class Price:
    """US dollars per million tokens."""

    input: float
    cached_input: float
    output: float


# OpenAI's list prices (standard tier, USD per 1M tokens) as of mid-2026.
PRICES: dict[str, Price] = {
    "gpt-5.5": Price(5.00, 0.50, 30.00),
    "gpt-5.4": Price(2.50, 0.25, 15.00),
    "gpt-5.4-mini": Price(0.75, 0.075, 4.50),
    "gpt-5.4-nano": Price(0.20, 0.02, 1.25),
    "gpt-5": Price(1.25, 0.125, 10.00),
    "gpt-5-mini": Price(0.25, 0.025, 2.00),
    "gpt-5-nano": Price(0.05, 0.005, 0.40),
    "gpt-4.1": Price(2.00, 0.50, 8.00),
    "gpt-4.1-mini": Price(0.40, 0.10, 1.60),
    "gpt-4.1-nano": Price(0.10, 0.025, 0.40),
    "gpt-4o": Price(2.50, 1.25, 10.00),
    "gpt-4o-mini": Price(0.15, 0.075, 0.60),
}
_SNAPSHOT_DATE = re.compile(r"-\d{4}-\d{2}-\d{2}$")


def price_for(model: str | None) -> Price | None:
    """The list price of `model` (dated snapshots priced as their family), or None if unknown."""
    if not model:
        return None
    name = model.lower().removeprefix("openai/")
    return PRICES.get(name) or PRICES.get(_SNAPSHOT_DATE.sub("", name))


def cost_usd(
    model: str | None, prompt_tokens: int, cached_tokens: int, completion_tokens: int
) -> float | None:
    """What a call cost at list price; None for a model with no known price (a local one)."""
    price = price_for(model)
    if price is None:
        return None
    uncached = max(0, prompt_tokens - cached_tokens)
    dollars = (
        uncached * price.input
        + min(cached_tokens, prompt_tokens) * price.cached_input
        + completion_tokens * price.output
    ) / 1_000_000
    return round(dollars, 8)


def make_usage(
    model: str | None,
    prompt_tokens: int,
    cached_tokens: int,
    completion_tokens: int,
    *,
    estimated: bool,
    reasoning_tokens: int = 0,
) -> Usage:
    """A Usage record with its cost filled in (reasoning tokens are billed as output)."""
    return Usage(
        prompt_tokens=prompt_tokens,
        cached_tokens=cached_tokens,
        completion_tokens=completion_tokens,
        reasoning_tokens=reasoning_tokens,
        cost_usd=cost_usd(model, prompt_tokens, cached_tokens, completion_tokens),
        estimated=estimated,
    )


def add_usage(first: Usage | None, second: Usage | None) -> Usage | None:
    """Two calls' usage summed (a repair attempt costs too)."""
    if first is None or second is None:
        return first or second
    costs = [c for c in (first.cost_usd, second.cost_usd) if c is not None]
    return Usage(
        prompt_tokens=first.prompt_tokens + second.prompt_tokens,
        cached_tokens=first.cached_tokens + second.cached_tokens,
        completion_tokens=first.completion_tokens + second.completion_tokens,
        reasoning_tokens=first.reasoning_tokens + second.reasoning_tokens,
        cost_usd=round(sum(costs), 8) if costs else None,
        estimated=first.estimated or second.estimated,
    )


def transcript_usage(transcript: Transcript) -> Usage | None:
    """All grading usage in a session (answers and follow-ups), or None if nothing was metered."""
    total: Usage | None = None
    for turn in transcript.turns:
        grades = [turn.grade, *(f.grade for f in turn.follow_ups)]
        for grade in grades:
            if grade is not None and grade.usage is not None:
                total = add_usage(total, grade.usage)
    return total


def describe_usage(usage: Usage) -> str:
    """One line: what grading cost and the tokens behind it, marked when estimated."""
    about = "about " if usage.estimated else ""
    tokens = (
        f"{usage.prompt_tokens:,} tokens in ({usage.cached_tokens:,} cached) and "
        f"{usage.completion_tokens:,} out"
    )
    if usage.reasoning_tokens:
        tokens += f" (of which {usage.reasoning_tokens:,} reasoning)"
    if usage.cost_usd is None:
        return f"{about}{tokens}; no price known for this model"
    return f"{about}${usage.cost_usd:.4f} for {tokens}"
