"""The study loop from the command line: two interviews, then list, show, export, stats, drill."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mockaws import drill as drill_module
from mockaws.cli import app
from mockaws.models import Transcript, utc_now
from tests.conftest import MINI_BANK

runner = CliRunner()
SG_ID, S3_ID = "mini-sg-vs-nacl", "mini-s3-consistency"
SG_PARTLY_WRONG = (
    "Security groups are stateful and sit on the ENI, so return traffic is allowed. "
    "NACLs are stateful at the subnet level."
)
SG_GOOD = (
    "Security groups are stateful: return traffic is allowed automatically, on the ENI. "
    "NACLs are stateless at the subnet level, so open ephemeral ports in both directions. "
    "NACLs have deny rules evaluated in rule number order; security groups only allow."
)
S3_WRONG = "S3 is eventually consistent for overwrites and deletes."


def run(*args: str, input: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), input=input)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(autouse=True)
def bank(tmp_path: Path) -> list[str]:
    """The mini bank under topics of its own, so the shipped bank never joins these sessions."""
    path = tmp_path / "review_bank.toml"
    text = MINI_BANK.read_text()
    for topic in ("networking", "storage"):
        text = text.replace(f'topic = "{topic}"', f'topic = "mini-{topic}"')
    path.write_text(text)
    BANK[:] = ["--bank", str(path)]
    return BANK


BANK: list[str] = []
TOPICS = ["--topic", "mini-networking", "--topic", "mini-storage"]


def interview(*answers: str) -> None:
    script = "".join(f"{answer}\n.\n" for answer in answers)
    code, out, err = run(
        "interview", "-n", "2", *TOPICS, "--seed", "3", "--grader", "offline", *BANK, input=script
    )
    assert code == 0, out + err


def saved(home: Path) -> list[Transcript]:
    folder = home / "transcripts"
    return sorted(
        (Transcript.model_validate_json(p.read_text()) for p in folder.glob("*.json")),
        key=lambda t: t.started_at,
    )


@pytest.fixture
def two_interviews(home: Path) -> list[Transcript]:
    # --seed 3 asks the storage question first, then the networking one.
    interview(S3_WRONG, SG_PARTLY_WRONG)
    interview("/skip", SG_GOOD)
    first, second = saved(home)
    assert [t.question_id for t in first.turns] == [S3_ID, SG_ID]
    return [first, second]


def test_list_shows_both_sessions_newest_first(two_interviews: list[Transcript]) -> None:
    first, second = two_interviews
    code, out, err = run("transcripts", "list", "--format", "table")
    assert code == 0 and err == ""
    assert out.index(second.id) < out.index(first.id)
    assert "completed" in out and "offline" in out
    code, out, _ = run("transcripts", "list", "--json")
    rows = json.loads(out)
    assert [r["id"] for r in rows] == [second.id, first.id]
    assert rows[0]["answered"] == 1 and rows[0]["skipped"] == 1
    assert rows[1]["average_score"] == pytest.approx(first.average_score, abs=0.05)
    code, out, _ = run("transcripts", "list", "-n", "1", "--format", "table")
    assert second.id in out and first.id not in out and "1 of 2 transcripts" in out


def test_show_latest_renders_verdicts_flags_and_follow_ups(
    two_interviews: list[Transcript],
) -> None:
    first, second = two_interviews
    code, out, _ = run("transcripts", "show", "latest", *BANK)
    assert code == 0
    flat = " ".join(out.split())
    assert second.id in flat and first.id not in flat
    assert "ephemeral ports in both directions" in flat  # the answer itself
    assert "✔ covered" in flat and "Skipped." in flat
    assert "Think about next: How would you block a single abusive IP address?" in flat
    code, out, _ = run("transcripts", "show", first.id[:-1], "--reference", *BANK)
    flat = " ".join(out.split())
    assert code == 0 and "Red flags" in flat and "⚑1 Says NACLs are stateful" in flat
    assert "✘ missed" in flat and "Reference answer" in flat
    # evidence marked in place: the wrong sentence contradicts point 3 and raises flag 1
    assert "NACLs are stateful at the subnet level[3][⚑1]." in flat


def test_export_latest_as_html_md_and_json(
    two_interviews: list[Transcript], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    second = two_interviews[1]
    monkeypatch.chdir(tmp_path)
    code, out, _ = run("transcripts", "export", "latest", "--format", "html", *BANK)
    page = tmp_path / f"{second.id}.html"
    assert code == 0 and str(page.name) in out
    html = page.read_text()
    assert '<mark class="covered">' in html and "<script" not in html
    code, out, _ = run("transcripts", "export", second.id, "-f", "json", "-o", "-")
    assert code == 0 and Transcript.model_validate_json(out) == second
    target = tmp_path / "out"
    target.mkdir()
    code, _, _ = run("transcripts", "export", "latest", "-f", "md", "-o", str(target), *BANK)
    assert code == 0 and (target / f"{second.id}.md").read_text().startswith("# Mock AWS")


def test_stats_after_two_interviews(two_interviews: list[Transcript]) -> None:
    code, out, _ = run("stats", *BANK)
    flat = " ".join(out.split())
    assert code == 0
    assert "3 graded answers in 2 sessions" in flat
    assert "Average score by topic and level" in flat and "Trend" in flat
    assert "Most missed rubric points" in flat
    assert "Never attempted:" in flat
    code, out, _ = run("stats", "--json", *BANK)
    figures = json.loads(out)
    assert figures["sessions"] == 2 and figures["answers"] == 3
    missed = {(m["question_id"], m["point_id"]): m["missed"] for m in figures["most_missed"]}
    assert missed[(S3_ID, "strong-consistency")] == 1
    assert {g["topic"] for g in figures["by_topic"]} == {"mini-networking", "mini-storage"}
    attempted = figures["bank"]["never_attempted_by_topic"]
    assert attempted["mini-networking"] == {"never_attempted": 0, "questions": 1}
    assert attempted["mini-storage"] == {"never_attempted": 0, "questions": 1}
    assert not {SG_ID, S3_ID} & set(figures["bank"]["never_attempted_ids"])


def test_drill_asks_due_questions_and_schedules_them(
    two_interviews: list[Transcript], home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = run("drill", "-n", "2", "--grader", "offline", *BANK, input="")
    assert code == 0 and "Nothing is due" in out and "--ahead" in out
    assert len(saved(home)) == 2  # no empty drill session was started

    tomorrow = utc_now() + timedelta(days=1)
    monkeypatch.setattr(drill_module, "utc_now", lambda: tomorrow)
    script = f"{S3_WRONG}\n.\n{SG_GOOD}\n.\n"
    code, out, err = run("drill", "-n", "2", "--grader", "offline", *BANK, input=script)
    assert code == 0, out + err
    assert out.count("Rated ") == 2
    drilled = saved(home)[-1]
    assert drilled.settings.mode == "drill"
    # Both missed a point last time; the storage question's answer is older, so it comes first.
    assert [t.question_id for t in drilled.turns] == [S3_ID, SG_ID]
    schedule = json.loads((home / "drill-schedule.json").read_text())
    sources = {r["source"] for q in schedule["questions"].values() for r in q["reviews"]}
    assert {f"{drilled.id}#0", f"{drilled.id}#1"} <= sources
    assert len(sources) == 5  # three graded interview answers and two drilled ones
    code, out, _ = run("transcripts", "list")
    assert "drill" in out


def test_a_truncated_transcript_is_reported_and_skipped(
    two_interviews: list[Transcript], home: Path
) -> None:
    first, second = two_interviews
    path = home / "transcripts" / f"{second.id}.json"
    text = path.read_text()
    path.write_text(text[: len(text) // 2])
    for args in (("transcripts", "list"), ("stats", *BANK), ("transcripts", "list", "--json")):
        code, out, err = run(*args)
        assert code == 0, args
        (line,) = err.strip().splitlines()
        assert line.startswith(f"warning: skipped {path}: not valid JSON")
        assert "Traceback" not in out + err
    code, out, err = run("transcripts", "show", "latest", *BANK)
    assert code == 0 and first.id in out and str(path) in err
    code, _, err = run("transcripts", "show", second.id, *BANK)
    assert code == 2 and "not valid JSON" in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("transcripts", "show", "latest"), "no transcripts yet"),
        (("transcripts", "show", "nope"), "no transcript 'nope'"),
        (("transcripts", "export", "latest", "-f", "pdf"), "--format: unknown format 'pdf'"),
        (("transcripts", "list", "-n", "0"), "--limit must be at least 1"),
        (("drill", "-n", "0"), "-n must be at least 1"),
        (("stats", "--top", "-1"), "--top must be 0 or more"),
    ],
)
def test_bad_requests_exit_2_with_one_line(args: tuple[str, ...], message: str) -> None:
    code, out, err = run(*args)
    assert code == 2, out + err
    assert message in err and len(err.strip().splitlines()) == 1


def test_empty_history_is_explained() -> None:
    code, out, _ = run("transcripts", "list", "--format", "table")
    assert code == 0 and "No transcripts yet" in out
    code, out, _ = run("stats", *BANK)
    assert code == 0 and "No graded answers yet" in out and "Never attempted:" in out
    code, out, _ = run("drill", *BANK)
    assert code == 0 and "Nothing to drill yet" in out


def test_show_compares_an_answer_with_the_previous_attempt(home: Path) -> None:
    from mockaws.bank import load_bank
    from mockaws.grading.offline import OfflineGrader
    from mockaws.grading.runner import GradingRunner
    from mockaws.models import SessionSettings
    from mockaws.session import Interview
    from mockaws.transcripts import TranscriptStore
    from tests.conftest import MINI_BANK

    sg = load_bank([MINI_BANK], include_shipped=False).get("mini-sg-vs-nacl")
    store = TranscriptStore(home / "transcripts")
    ids = []
    for answer in (
        "Security groups are stateful, so return traffic is allowed automatically.",
        "NACLs are stateless, so you open ephemeral ports in both directions.",
    ):
        session = Interview([sg], GradingRunner(OfflineGrader()), store, SessionSettings())
        session.submit(answer)
        session.wait_for_grades()
        session.finish()
        ids.append(session.transcript.id)
    result = CliRunner().invoke(
        app, ["transcripts", "show", ids[1], "--bank", str(MINI_BANK)], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 0, result.output
    shown = " ".join(result.stdout.split())
    assert "Since your last attempt" in shown
    assert "missed → covered NACLs are stateless" in shown
    assert "covered → missed Security groups are stateful" in shown
