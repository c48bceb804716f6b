"""The sample transcripts in transcripts/ are what the tool produces today."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_samples_match_a_fresh_run(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location(
        "make_samples", ROOT / "scripts" / "make_samples.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    written = module.main(tmp_path)
    assert len(written) >= 5
    stale = [
        path.name
        for path in written
        if path.read_text(encoding="utf-8")
        != (ROOT / "transcripts" / path.name).read_text(encoding="utf-8")
    ]
    assert stale == [], f"regenerate with `python scripts/make_samples.py`: {stale}"
