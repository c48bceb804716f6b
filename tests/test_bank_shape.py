"""The shape of the shipped bank as a whole: its size, its kinds of question, its role tracks."""

from __future__ import annotations

from collections import Counter

import pytest

from mockaws.bank import TOPIC_TRACKS, load_bank, tracks_of
from mockaws.models import Question, QuestionKind, Track

QUESTIONS = sorted(load_bank().questions.values(), key=lambda q: q.id)
# What a real loop weighs heavily: a situation to handle, a symptom to diagnose, a design.
REASONING = {QuestionKind.SCENARIO, QuestionKind.TROUBLESHOOTING, QuestionKind.DESIGN}
MIN_QUESTIONS = 350
MIN_BEHAVIOURAL = 25
MIN_PER_TRACK = 40
MIN_REASONING_SHARE = 0.30


def reasoning_share(questions: list[Question]) -> float:
    return sum(q.kind in REASONING for q in questions) / len(questions)


def test_the_bank_has_enough_questions() -> None:
    assert len(QUESTIONS) >= MIN_QUESTIONS


def test_every_question_has_a_kind_and_a_track() -> None:
    assert all(isinstance(q.kind, QuestionKind) for q in QUESTIONS)
    trackless = [q.id for q in QUESTIONS if not tracks_of(q)]
    assert trackless == [], "give the topic a line in bank.TOPIC_TRACKS or the question `tracks`"


def test_every_shipped_topic_has_tracks() -> None:
    topics = {q.topic for q in QUESTIONS}
    assert sorted(topics - set(TOPIC_TRACKS)) == []


def test_a_third_of_the_bank_asks_for_reasoning_and_enough_are_stories() -> None:
    kinds = Counter(q.kind for q in QUESTIONS)
    assert reasoning_share(QUESTIONS) >= MIN_REASONING_SHARE, kinds
    assert kinds[QuestionKind.BEHAVIOURAL] >= MIN_BEHAVIOURAL, kinds


@pytest.mark.parametrize("track", list(Track), ids=str)
def test_every_track_is_big_enough_and_asks_for_reasoning(track: Track) -> None:
    in_track = [q for q in QUESTIONS if track in tracks_of(q)]
    kinds = Counter(q.kind.value for q in in_track)
    assert len(in_track) >= MIN_PER_TRACK, kinds
    assert reasoning_share(in_track) >= MIN_REASONING_SHARE, kinds


@pytest.mark.parametrize(
    "question", [q for q in QUESTIONS if q.kind is QuestionKind.BEHAVIOURAL], ids=lambda q: q.id
)
def test_behavioural_questions_map_to_leadership_principles(question: Question) -> None:
    assert question.leadership_principles, "name the Leadership Principles a good story shows"
