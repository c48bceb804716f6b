"""Meta-tests over the shipped question bank: it validates, and the offline grader can grade it."""

from __future__ import annotations

from collections import Counter

import pytest

from mockaws.bank import load_bank, shipped_bank_dir, validate_paths
from mockaws.grading import grade_answer
from mockaws.grading.offline import OfflineGrader
from mockaws.grading.textmatch import find_cue, tokenize
from mockaws.models import Question, Rating

BANK = load_bank()
QUESTIONS = sorted(BANK.questions.values(), key=lambda q: q.id)
GRADER = OfflineGrader()
OFF_TOPIC = "I would restart the server and check the logs"


def ids(question: Question) -> str:
    return question.id


def test_the_shipped_bank_validates() -> None:
    valid, problems = validate_paths([shipped_bank_dir()])
    assert problems == []
    assert valid == len(QUESTIONS)


def test_bank_size_levels_and_topics() -> None:
    levels = Counter(q.level.value for q in QUESTIONS)
    topics = Counter(q.topic for q in QUESTIONS)
    assert len(QUESTIONS) >= 130
    assert levels["junior"] >= 25 and levels["mid"] >= 45 and levels["senior"] >= 30
    assert len(topics) >= 6
    assert min(topics.values()) >= 4, topics


@pytest.mark.parametrize("question", QUESTIONS, ids=ids)
def test_question_shape(question: Question) -> None:
    assert 3 <= len(question.rubric) <= 6
    assert question.red_flags, "needs at least one red flag"
    assert question.follow_ups, "needs at least one follow-up"
    words = len(question.reference_answer.split())
    assert 60 <= words <= 200, f"reference answer has {words} words"


@pytest.mark.parametrize("question", QUESTIONS, ids=ids)
def test_reference_answer_rates_strong_without_red_flags(question: Question) -> None:
    grade = grade_answer(GRADER, question, question.reference_answer)
    missed = [p.point_id for p in grade.points if p.verdict.value != "covered"]
    assert grade.rating is Rating.STRONG, f"score {grade.score}; not covered: {missed}"
    assert grade.red_flags_hit == [], [h.flag_id for h in grade.red_flags_hit]


@pytest.mark.parametrize("question", QUESTIONS, ids=ids)
def test_off_topic_answer_rates_poor_and_credits_no_point(question: Question) -> None:
    grade = grade_answer(GRADER, question, OFF_TOPIC)
    assert grade.rating is Rating.POOR
    tokens = tokenize(OFF_TOPIC)
    generic = [cue for p in question.rubric for cue in p.cues if find_cue(tokens, cue)]
    assert generic == [], f"cues too generic: {generic}"


@pytest.mark.parametrize("question", QUESTIONS, ids=ids)
def test_every_red_flag_cue_can_fire(question: Question) -> None:
    def fires(flag_id: str, cue: str) -> bool:
        hits = grade_answer(GRADER, question, f"I think {cue}.").red_flags_hit
        return flag_id in {hit.flag_id for hit in hits}

    silent = [
        f"{flag.id}: {cue!r}"
        for flag in question.red_flags
        for cue in flag.cues
        if not fires(flag.id, cue)
    ]
    assert silent == [], "red-flag cues that never fire on their own"
