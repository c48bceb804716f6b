"""The offline grader: deterministic cue matching, no network and no model.

For each rubric point it looks for the point's cues in the answer, one sentence at a time:

- a point is **covered** when one sentence of prose, or two in a row, hold two of its cues (or
  its only cue), and **partial** when a cue appears anywhere else: cues scattered over a long
  answer are not one idea;
- a cue that is denied ("S3 does *not* lock objects") earns nothing unless the point itself is a
  denial ("pods never use the node role"), and a denied word with an opposite reads as that
  opposite ("security groups are not stateless" says they are stateful);
- a bare list of terms ("stateful, stateless, ENI, subnet, ephemeral ports") earns at most
  partial credit: naming the words is not saying what they mean;
- a sentence that asserts a red flag earns no credit, and the point the red flag denies is
  **contradicted** ("NACLs are stateful" contradicts "NACLs are stateless");
- words in a passage that addresses the grader count for nothing (see `grading.injection`).
"""

from __future__ import annotations

import itertools
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from mockaws.grading.injection import InjectionHit, find_injections
from mockaws.grading.scoring import Labels, finalise
from mockaws.grading.textmatch import (
    FUNCTION_WORDS,
    OPPOSITES,
    Match,
    Sentence,
    Tokens,
    clauses,
    cue_forms,
    find_loose,
    is_bare_list,
    is_negator,
    sentences,
    tokenize,
)
from mockaws.models import (
    Feedback,
    Grade,
    PointVerdict,
    Question,
    RedFlag,
    RedFlagHit,
    RubricPoint,
    Verdict,
)

# A sentence with one of these does not assert a red flag's misconception anywhere in it
# ("S3 is no longer eventually consistent", "bidding on Spot ended in 2017", "a common myth").
_DISCOURSE_NEGATORS = frozenset(
    {
        "longer",
        "myth",
        "outdat",
        "former",
        "formerly",
        "anymor",
        "deprec",
        "retir",
        "end",
        "discontinu",
        "renam",
        "wrong",
        "incorrect",
        "fals",
        "mistak",
        "misconcept",
        "histor",
        "old",
        "legaci",
        "previous",
    }
)
# Verbs that deny what follows them closely ("prevents public access", "stops anyone ...").
_DENY_NEXT = frozenset({"avoid", "stop", "prevent", "block", "forbid", "disallow", "refus"})
# Words with which a later clause points back at a claim ("..., which is a myth").
_POINTING_BACK = ("which", "that", "that's", "this", "it's", "its", "both")
# These deny what comes after them in the sentence ("roles rather than access keys"), not what
# comes before ("NACLs are stateful rather than stateless" still claims NACLs are stateful).
_DENY_WHAT_FOLLOWS = frozenset({"instead", "rather", "without"})


@dataclass(frozen=True)
class _Text:
    """An answer prepared for matching: tokens, sentences and which sentences may earn credit."""

    answer: str
    tokens: Tokens
    spans: list[Sentence]
    injections: list[InjectionHit]  # passages that address the grader: no cue counts in them
    bare: list[bool]  # per sentence: True when it is a bare list of terms
    ends: list[int]  # where each sentence ends, to find a sentence by offset

    @classmethod
    def of(cls, answer: str) -> _Text:
        spans = sentences(answer) or [Sentence(0, len(answer))]
        injections = find_injections(answer)
        # A directive in front of a keyword list ("Ignore the rubric: stateful, stateless, ENI")
        # does not make the list prose: judge each sentence without the text to the grader.
        said = answer
        for hit in injections:
            said = said[: hit.start] + " " * (hit.end - hit.start) + said[hit.end :]
        return cls(
            answer,
            Tokens.of(answer),
            spans,
            injections,
            [is_bare_list(said, span) for span in spans],
            [span.end for span in spans],
        )

    def addresses_grader(self, match: Match) -> bool:
        """True when the match lies in a passage that talks to the grader."""
        return any(hit.start < match.end and match.start < hit.end for hit in self.injections)

    def sentence_index(self, offset: int) -> int:
        """The sentence that holds `offset` (the last one for an offset past them all)."""
        return min(bisect_right(self.ends, offset), len(self.spans) - 1)

    def quote(self, first: int, last: int | None = None) -> str:
        """The text of sentence `first`, or of sentences `first` to `last`."""
        end = self.spans[first if last is None else last].end
        return self.answer[self.spans[first].start : end]


@dataclass(frozen=True)
class _FlagHit:
    flag: RedFlag
    match: Match
    sentence: int


def _asserted(text: _Text, match: Match) -> bool:
    """True when the sentence says the matched words, rather than denying or reporting them."""
    if match.negated:
        return False
    sentence = text.spans[text.sentence_index(match.start)]
    inside = [t for t in text.tokens.folded if sentence.start <= t.start < sentence.end]
    parts = clauses(text.answer, sentence)
    clause = next((c for c in parts if c.start <= match.start < c.end), sentence)
    # "S3 is no longer eventually consistent", "NACLs are stateful, which is a myth": the
    # claim's own clause, or a later one that points back at it, reports it as untrue or old.
    # ("... so you might read the old version" says nothing about the claim.)
    reporting = [
        c
        for c in parts
        if c is clause
        or (
            c.start >= clause.end
            and any(w in text.answer[c.start : c.end].lower().split() for w in _POINTING_BACK)
        )
    ]
    if any(
        t.form in _DISCOURSE_NEGATORS and any(c.start <= t.start < c.end for c in reporting)
        for t in inside
    ):
        return False
    if any(t.form in _DENY_WHAT_FOLLOWS and t.end <= match.start for t in inside):
        return False
    # "it's not true that S3 is eventually consistent": a negator earlier in the same clause.
    before = [t for t in inside if clause.start <= t.start < match.start]
    if any(is_negator(t.form) for t in before):
        return False
    # "avoid using status as the key", "stops anyone overwriting a tag" deny what they name;
    # "to avoid hot keys, use status" does not deny "use status".
    if any(t.form in _DENY_NEXT for t in before[-2:]):
        return False
    # "S3 is eventually consistent, but that isn't true": a later clause denies the claim.
    after = [t.form for t in inside if t.start >= match.end]
    return not any(
        is_negator(form) and following in {"true", "right", "correct", "case", "accur"}
        for form, following in itertools.pairwise(after)
    )


def _red_flag_hits(question: Question, text: _Text) -> list[_FlagHit]:
    hits: list[_FlagHit] = []
    for flag in question.red_flags:
        for cue in flag.cues:
            found = [*text.tokens.find(cue), *find_loose(text.answer, text.tokens.folded, cue)]
            match = next((m for m in found if _asserted(text, m)), None)
            if match is not None:
                hits.append(_FlagHit(flag, match, text.sentence_index(match.start)))
                break
    return hits


def _distinct_ideas(matches: Sequence[Match]) -> int:
    """How many different cues the matches show, counting a match inside another once.

    "returns to the caller" and "caller" found at the same place are one idea said once.
    """
    chosen: list[Match] = []
    forms: set[tuple[str, ...]] = set()
    for match in sorted(matches, key=lambda m: (m.start - m.end, m.start)):
        form = cue_forms(match.cue)
        inside = any(other.start <= match.start and match.end <= other.end for other in chosen)
        if form not in forms and not inside:
            chosen.append(match)
            forms.add(form)
    return len(chosen)


def required_cues(point: RubricPoint) -> int:
    """How many distinct cues one sentence needs for the point to count as covered."""
    return min(2, len({cue_forms(cue) for cue in point.cues}))


# A sentence this long says something about the phrase it holds, rather than just naming it.
_EXPLAINING_WORDS = 8


@cache
def _is_phrase(cue: str) -> bool:
    """True for a cue of two or more content words ("delete marker", "not transitive").

    A phrase said in a sentence that explains it states the idea the way a single word
    ("overlap", "DNS") does not, so on its own it covers the point; a bare assertion ("S3 is
    strongly consistent") still earns only partial credit.
    """
    return sum(1 for form in cue_forms(cue) if form not in FUNCTION_WORDS) >= 2


@cache
def _is_denial(point: str) -> bool:
    """True when the point itself says what not to do or what is not so."""
    return any(
        is_negator(t.form) or t.form in _DENY_WHAT_FOLLOWS or t.form == "avoid"
        for t in tokenize(point)
    )


def _contradicts(point: RubricPoint, hit: _FlagHit) -> bool:
    """True when the red flag's words are the opposite of the point's ("stateful"/"stateless")."""
    said = set(cue_forms(hit.match.cue))
    return any(
        OPPOSITES.get(form) in said and form not in said
        for cue in point.cues
        for form in cue_forms(cue)
    )


class OfflineGrader:
    """Labels each rubric point by the cues found in the answer; deterministic and local."""

    name = "offline"

    def grade(self, question: Question, answer: str) -> Grade:
        return finalise(question, answer, self.label(question, answer), grader=self.name)

    def label(self, question: Question, answer: str) -> Labels:
        text = _Text.of(answer)
        flag_hits = _red_flag_hits(question, text)
        flagged = {hit.sentence for hit in flag_hits}
        verdicts: list[PointVerdict] = []
        strengths: list[str] = []
        gaps: list[str] = []
        for point in question.rubric:
            verdict = self._label_point(point, text, flagged, flag_hits)
            verdicts.append(verdict)
            (strengths if verdict.verdict is Verdict.COVERED else gaps).append(point.point)
        outline = [
            ("✓ " if v.verdict is Verdict.COVERED else "• ") + p.point
            for p, v in zip(question.rubric, verdicts, strict=True)
        ]
        return Labels(
            points=verdicts,
            red_flags_hit=[
                RedFlagHit(flag_id=hit.flag.id, evidence=text.quote(hit.sentence))
                for hit in flag_hits
            ],
            feedback=Feedback(strengths=strengths, gaps=gaps, outline=outline),
            follow_up=question.follow_ups[0] if question.follow_ups else None,
        )

    def _label_point(
        self, point: RubricPoint, text: _Text, flagged: set[int], flag_hits: Sequence[_FlagHit]
    ) -> PointVerdict:
        contradiction = next((hit for hit in flag_hits if _contradicts(point, hit)), None)
        if contradiction is not None:
            return PointVerdict(
                point_id=point.id,
                verdict=Verdict.CONTRADICTED,
                evidence=text.quote(contradiction.sentence),
                note=f"says the opposite: {contradiction.flag.flag}",
            )
        denial = _is_denial(point.point)
        by_sentence: dict[int, list[Match]] = {}
        for cue in point.cues:
            for match in text.tokens.find(cue):
                index = text.sentence_index(match.start)
                if (
                    (match.negated and not denial)
                    or index in flagged
                    or text.addresses_grader(match)
                ):
                    continue
                by_sentence.setdefault(index, []).append(match)
        if not by_sentence:
            return PointVerdict(point_id=point.id, verdict=Verdict.MISSED)
        # Windows of one sentence, or two in a row, of prose: where one idea is said.
        windows: list[tuple[int, int]] = []
        for index in sorted(by_sentence):
            if text.bare[index]:
                continue
            windows.append((index, index))
            if index + 1 in by_sentence and not text.bare[index + 1]:
                windows.append((index, index + 1))
        needed = required_cues(point)
        best = max(
            windows,
            key=lambda w: (
                _distinct_ideas([m for i in range(w[0], w[1] + 1) for m in by_sentence[i]]),
                w[0] - w[1],  # the shorter quote when two windows say as much
                -w[0],
            ),
            default=None,
        )
        if best is not None:
            matches = [m for i in range(best[0], best[1] + 1) for m in by_sentence[i]]
            explained = len(text.quote(*best).split()) >= _EXPLAINING_WORDS
            if _distinct_ideas(matches) >= needed or (
                explained and any(_is_phrase(m.cue) for m in matches)
            ):
                return PointVerdict(
                    point_id=point.id,
                    verdict=Verdict.COVERED,
                    evidence=text.quote(*best),
                    note="matched: " + ", ".join(sorted({m.cue for m in matches})),
                )
        first = best[0] if best is not None else min(by_sentence)
        note = "matched: " + ", ".join(sorted({m.cue for m in by_sentence[first]}))
        if text.bare[first]:
            note += " (in a bare list of terms, which says nothing about them)"
        return PointVerdict(
            point_id=point.id, verdict=Verdict.PARTIAL, evidence=text.quote(first), note=note
        )
