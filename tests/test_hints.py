"""/hint nudges toward a point without giving it away."""

from __future__ import annotations

import pytest

from mockaws.bank import load_bank
from mockaws.hints import HELD_BACK, hint_for
from mockaws.models import RubricPoint

SHIPPED = load_bank([])
POINTS = [p for q in SHIPPED.questions.values() for p in q.rubric]


def test_an_authored_hint_is_shown_as_written() -> None:
    point = RubricPoint(
        id="sg-stateful",
        point="Security groups are stateful: return traffic is allowed automatically.",
        weight=3,
        cues=["stateful"],
        hint="Think about what happens to the reply of a request the group let in.",
    )
    assert hint_for(point) == point.hint


def test_the_fallback_holds_back_the_words_the_cues_look_for() -> None:
    point = RubricPoint(
        id="sg-stateful",
        point="Security groups are stateful: return traffic is allowed automatically.",
        weight=3,
        cues=["stateful", "return traffic"],
    )
    assert hint_for(point) == "Security groups are …: … is allowed automatically."


def test_a_point_whose_cues_share_no_word_with_it_is_still_not_given_away() -> None:
    point = RubricPoint(
        id="ttl", point="Lower the record's TTL well before the cutover.", weight=2, cues=["ttl"]
    )
    hint = hint_for(point)
    assert HELD_BACK in hint and hint != point.point


@pytest.mark.parametrize("point", POINTS, ids=lambda p: p.id)
def test_no_shipped_hint_prints_its_point_word_for_word(point: RubricPoint) -> None:
    hint = hint_for(point)
    assert hint.strip() and hint != point.point
    assert point.hint or HELD_BACK in hint
