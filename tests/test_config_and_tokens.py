"""Grader settings (flags > env > config file > defaults), token counts offline, and prices."""

from __future__ import annotations

import sys
import types
from collections.abc import Iterator
from pathlib import Path

import pytest

from mockaws import tokens
from mockaws.config import DEFAULT_MODEL, config_path, load_settings, mask_key
from mockaws.errors import ConfigError
from mockaws.grading import make_grader
from mockaws.models import Usage
from tests.conftest import MINI_BANK


def write_config(home: Path, text: str) -> Path:
    path = config_path()
    assert path == home / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_defaults_without_any_configuration() -> None:
    settings = load_settings()
    assert settings.model == DEFAULT_MODEL and settings.base_url is None
    assert settings.base_url_host == "api.openai.com"
    assert not settings.model_configured
    assert set(settings.sources.values()) == {"default"}


def test_flags_beat_environment_beat_file(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_config(home, 'model = "from-file"\nbase_url = "http://file:1/v1"\ntimeout = 5\n')
    settings = load_settings()
    assert (settings.model, settings.base_url, settings.timeout) == (
        "from-file",
        "http://file:1/v1",
        5.0,
    )
    assert settings.sources["model"] == "file"
    monkeypatch.setenv("MOCKAWS_MODEL", "from-env")
    monkeypatch.setenv("MOCKAWS_TIMEOUT", "7.5")
    settings = load_settings()
    assert (settings.model, settings.timeout) == ("from-env", 7.5)
    settings = load_settings(model="from-flag", base_url="http://localhost:8080/v1/")
    assert settings.model == "from-flag" and settings.sources["model"] == "flag"
    assert settings.base_url == "http://localhost:8080/v1"
    assert settings.base_url_host == "localhost:8080"


def test_grading_request_settings_come_from_environment_then_file(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = load_settings()
    assert (settings.grade_timeout, settings.max_output_tokens, settings.temperature) == (
        60.0,
        None,
        0.0,
    )
    write_config(home, "grade_timeout = 30\nmax_output_tokens = 600\ntemperature = 0.2\nseed = 7\n")
    settings = load_settings()
    assert (settings.grade_timeout, settings.max_output_tokens, settings.seed) == (30.0, 600, 7)
    assert settings.temperature == 0.2 and settings.sources["seed"] == "file"
    monkeypatch.setenv("MOCKAWS_GRADE_TIMEOUT", "45")
    monkeypatch.setenv("MOCKAWS_MAX_OUTPUT_TOKENS", "800")
    monkeypatch.setenv("MOCKAWS_TEMPERATURE", "0")
    monkeypatch.setenv("MOCKAWS_SEED", "11")
    settings = load_settings()
    assert (settings.grade_timeout, settings.max_output_tokens) == (45.0, 800)
    assert (settings.temperature, settings.seed) == (0.0, 11)
    assert settings.sources["grade_timeout"] == "env"
    monkeypatch.setenv("MOCKAWS_MAX_OUTPUT_TOKENS", "10")
    with pytest.raises(ConfigError, match=r"MOCKAWS_MAX_OUTPUT_TOKENS: 10 is out of range"):
        load_settings()


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ("modle = 'x'\n", "field 'modle': Extra inputs are not permitted"),
        ("retries = -1\n", "field 'retries'"),
        ("model = \n", "not valid TOML"),
        ("base_url = 'localhost:11434'\n", "base_url: 'localhost:11434' is not an http(s) URL"),
    ],
)
def test_a_bad_config_file_names_the_file_and_field(home: Path, config: str, message: str) -> None:
    path = write_config(home, config)
    with pytest.raises(ConfigError) as failure:
        load_settings()
    assert str(path) in str(failure.value) and message in str(failure.value)


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("MOCKAWS_TIMEOUT", "soon", "MOCKAWS_TIMEOUT: expected a number"),
        ("MOCKAWS_RETRIES", "99", "MOCKAWS_RETRIES: 99 is out of range"),
        ("MOCKAWS_REASONING_EFFORT", "max", "unknown value 'max'"),
        ("OPENAI_BASE_URL", "ftp://x", "OPENAI_BASE_URL: 'ftp://x' is not an http(s) URL"),
    ],
)
def test_bad_environment_values_are_named(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, message: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_settings()


def test_mask_key_never_shows_the_key() -> None:
    key = "sk-proj-0123456789abcdefghijklmnop"
    masked = mask_key(key)
    assert masked == "sk-…mnop" and "0123456789" not in (masked or "")
    assert mask_key("short") == "********"
    assert mask_key(None) is None


def test_auto_uses_a_model_only_when_one_is_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    grader, notice = make_grader("auto")
    assert grader.name == "offline" and notice and "No model configured" in notice
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-0123456789abcdef")
    grader, notice = make_grader("auto")
    assert grader.name == "offline" and notice and "MOCKAWS_MODEL" in notice
    monkeypatch.setenv("MOCKAWS_MODEL", "gpt-5.4-mini")
    grader, notice = make_grader("auto")
    assert grader.name == "openai" and notice and "gpt-5.4-mini" in notice
    monkeypatch.delenv("MOCKAWS_MODEL")
    monkeypatch.delenv("OPENAI_API_KEY")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://localhost:11434/v1")
    grader, _ = make_grader("auto")
    assert grader.name == "openai"  # a local server needs no key


def test_openai_grader_without_a_key_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="OPENAI_API_KEY"):
        make_grader("openai")


# ------------------------------------------------------------------------- tokens


@pytest.fixture
def offline_counter(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No cached tiktoken encoding and no toktok: the situation of a fresh offline machine."""
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path / "empty-cache"))
    monkeypatch.setitem(sys.modules, "toktok", None)
    tokens.counter_for.cache_clear()
    yield
    tokens.counter_for.cache_clear()


@pytest.mark.usefixtures("offline_counter")
def test_without_an_encoding_counts_are_marked_estimates() -> None:
    counter = tokens.counter_for("gpt-5.4-nano")
    assert counter.name == "estimate" and not counter.exact
    answer = MINI_BANK.read_text().split('reference_answer = """')[1].split('"""')[0]
    count = tokens.count_tokens(answer, "gpt-5.4-nano")
    assert count.estimated
    assert 75 <= count.tokens <= 110  # o200k_base counts 87 tokens in this text


@pytest.mark.usefixtures("offline_counter")
def test_truncation_keeps_a_prefix_within_the_limit() -> None:
    text = "Security groups are stateful and NACLs are stateless. " * 50
    cut = tokens.truncate_to_tokens(text, 40)
    assert text.startswith(cut) and tokens.count_tokens(cut).tokens <= 40
    assert len(cut) > 100
    assert tokens.truncate_to_tokens("short text", 40) == "short text"


def _fake_toktok(encodings: list[str] | None) -> types.ModuleType:
    """A toktok that counts words and knows `encodings` (None: no list of them to read)."""
    module = types.ModuleType("toktok")

    def batch_count(texts: list[str], encoding: str) -> list[int]:
        if encodings is not None and encoding not in encodings:
            raise KeyError(encoding)
        return [len(text.split()) for text in texts]

    module.batch_count = batch_count  # type: ignore[attr-defined]
    if encodings is not None:
        module._BUILTIN = list(encodings)  # type: ignore[attr-defined]
    return module


@pytest.mark.parametrize(
    "toktok",
    [
        None,
        _fake_toktok(["o200k_base", "cl100k_base"]),
        _fake_toktok(["cl100k_base"]),
        _fake_toktok(None),
    ],
    ids=["no-toktok", "toktok-with-encoding", "toktok-without-encoding", "toktok-unlisted"],
)
@pytest.mark.parametrize("model", ["gpt-5.4-nano", "gpt-4", None])
def test_config_show_names_the_counter_grading_would_use(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    toktok: types.ModuleType | None,
    model: str | None,
) -> None:
    """`config show` names the counter without loading it, and names the one really used."""
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path / "empty-cache"))
    monkeypatch.setitem(sys.modules, "toktok", toktok)
    tokens.counter_for.cache_clear()
    try:
        assert tokens.counter_name(model) == tokens.counter_for(model).name
    finally:
        tokens.counter_for.cache_clear()


def test_tiktoken_is_only_used_from_its_cache(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path))
    path = tokens.tiktoken_cache_file("o200k_base")
    assert path is not None and path.parent == tmp_path and not path.exists()
    assert tokens._tiktoken_counter("o200k_base") is None  # no file: no download attempt
    path.write_bytes(b"damaged")
    assert tokens._tiktoken_counter("o200k_base") is None  # tiktoken would fetch it again
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", "")
    assert tokens.tiktoken_cache_file("o200k_base") is None


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        ("gpt-5.4-nano", (0.20, 0.02, 1.25)),
        ("gpt-5.4-nano-2026-03-17", (0.20, 0.02, 1.25)),
        ("gpt-4.1-mini", (0.40, 0.10, 1.60)),
    ],
)
def test_prices(model: str, expected: tuple[float, float, float]) -> None:
    price = tokens.price_for(model)
    assert price is not None and (price.input, price.cached_input, price.output) == expected


def test_cost_counts_cached_tokens_at_their_price() -> None:
    # 1,000 prompt tokens of which 800 cached, 500 out, at gpt-5.4-nano prices
    cost = tokens.cost_usd("gpt-5.4-nano", 1000, 800, 500)
    assert cost == pytest.approx((200 * 0.20 + 800 * 0.02 + 500 * 1.25) / 1e6)
    assert tokens.cost_usd("llama3.1:8b", 1000, 0, 500) is None


def test_usage_adds_up_and_describes_itself() -> None:
    one = Usage(prompt_tokens=1000, cached_tokens=800, completion_tokens=500, cost_usd=0.001)
    two = Usage(prompt_tokens=10, completion_tokens=5, cost_usd=None, estimated=True)
    total = tokens.add_usage(one, two)
    assert total is not None
    assert (total.prompt_tokens, total.completion_tokens, total.cost_usd) == (1010, 505, 0.001)
    assert total.estimated
    assert tokens.describe_usage(total).startswith("about $0.0010")
    assert "no price known" in tokens.describe_usage(two.model_copy(update={"estimated": False}))
