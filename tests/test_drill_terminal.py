"""A drill in a real pseudo-terminal: the user overrides the suggested rating."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pexpect

from mockaws.transcripts import TranscriptStore
from tests.conftest import MINI_BANK
from tests.factories import START, answered, mini_bank, save_session


def test_the_user_can_change_the_suggested_rating(home: Path) -> None:
    sg = mini_bank().get("mini-sg-vs-nacl")
    save_session(
        TranscriptStore(home / "transcripts"),
        START,
        [answered(sg, 20, START, ["nacl-stateless", "allow-deny"])],
    )
    child = pexpect.spawn(
        sys.executable,
        ["-m", "mockaws", "drill", "-n", "1", "--grader", "offline", "--bank", str(MINI_BANK)],
        env={**os.environ, "COLUMNS": "100", "TERM": "xterm"},
        encoding="utf-8",
        timeout=30,
        dimensions=(40, 100),
    )
    try:
        child.expect("How do security groups and network ACLs differ")
        child.sendline("NACLs are stateful.")
        child.sendline(".")
        child.expect(r"How well did you know it\?.*again/hard/good/easy.*\(again\)")
        child.sendline("maybe")
        child.expect("Type one of again, hard, good, easy, or press Enter for again")
        child.sendline("e")  # a first letter is enough
        child.expect(r"Rated easy \(suggested again\); next due in \d+ days")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0, child.before
    schedule = json.loads((home / "drill-schedule.json").read_text())
    reviews = schedule["questions"][sg.id]["reviews"]
    assert [(r["rating"], r["suggested"]) for r in reviews] == [
        ("again", "again"),
        ("easy", "again"),
    ]
    assert schedule["questions"][sg.id]["state"]["phase"] == "review"


def test_mark_at_the_rating_prompt_rescores_and_updates_the_suggestion(home: Path) -> None:
    sg = mini_bank().get("mini-sg-vs-nacl")
    save_session(
        TranscriptStore(home / "transcripts"),
        START,
        [answered(sg, 20, START, ["nacl-stateless", "allow-deny"])],
    )
    child = pexpect.spawn(
        sys.executable,
        ["-m", "mockaws", "drill", "-n", "1", "--grader", "offline", "--bank", str(MINI_BANK)],
        env={**os.environ, "COLUMNS": "100", "TERM": "xterm"},
        encoding="utf-8",
        timeout=30,
        dimensions=(40, 100),
    )
    try:
        child.expect("How do security groups and network ACLs differ")
        # sg-instance-level alone, 2 of 10: poor
        child.sendline("Security groups attach to the ENI, NACLs work at the subnet level.")
        child.sendline(".")
        child.expect(r"How well did you know it\?.*\(again\).*/mark")
        child.sendline("/mark")
        child.expect("Which points did your answer cover?")
        child.expect("tick>")
        child.sendline("1 3 4")  # the three points the grader missed
        child.expect("tick>")
        child.sendline("")
        child.expect("self-assessed")
        child.expect(r"How well did you know it\?.*\(easy\)")
        child.sendline("")
        child.expect(r"Rated easy; next due")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0, child.before
    schedule = json.loads((home / "drill-schedule.json").read_text())
    latest = schedule["questions"][sg.id]["reviews"][-1]
    assert (latest["rating"], latest["suggested"], latest["score"]) == ("easy", "easy", 100)
    assert latest["grader_score"] is not None and latest["grader_score"] < 100
    assert latest["missed"] == []
