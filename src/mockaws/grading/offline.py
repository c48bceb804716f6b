"""The offline grader: deterministic cue matching, no network and no model.

For each rubric point it looks for the point's cues in the answer, one sentence at a time:

- a point is **covered** when one sentence of prose, or two in a row, hold two of its cues (or
  its only cue), and **partial** when a cue appears anywhere else: cues scattered over a long
  answer are not one idea;
- a cue that is denied ("S3 does *not* lock objects") earns nothing unless the point itself is a
  denial ("pods never use the node role"), and a denied word with an opposite reads as that
  opposite ("security groups are not stateless" says they are stateful);
- a bare list of terms ("stateful, stateless, ENI, subnet, ephemeral ports") earns at most
  partial credit: naming the words is not saying what they mean; an answer that is nothing but
  such a list earns no credit for a lone term, so it rates weak at best;
- cues on either side of a contrast ("..., whereas ...") are about different things, a sentence
  said again earns nothing more, and a sentence about another numbered variant of what the point
  names ("gp2" for "gp3") earns nothing for it;
- a cue's words in order a few words apart ("price for performance") complete an idea that a
  cue as written starts;
- a point no cue finds, or finds in part, is still covered when one sentence, or two in a row,
  state most of the point's own terms that the question does not already use ("the scan goes
  through each item of the table and uses up read capacity");
- a sentence that asserts a red flag earns no credit, and the point the red flag denies is
  **contradicted** ("NACLs are stateful" contradicts "NACLs are stateless"); a red flag of three
  or more content words is also found in any order within one clause, a few words apart;
- a red-flag cue may itself deny ("inter-AZ traffic doesn't cost anything"); "it" or "they" at
  the start of a claim stands for the subject just named ("Express is cheaper; it runs each step
  exactly once"); a claim told as history ("used to", "before 2024 ... were") or as what others
  believe ("people assume ..."), or taken back ("..., but it does"), is not asserted;
- a behavioural point that names a story part (situation, actions, result, lesson) is also read
  from the story's shape (see `grading.story`): "At my last job ...", "I rolled it back",
  "errors fell from 8% to 0.1%";
- words in a passage that addresses the grader count for nothing (see `grading.injection`), and
  a sentence said again earns nothing more.

Every grade says how sure it is (`assess_confidence`).
"""

from __future__ import annotations

import itertools
import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, partial

from mockaws.grading.injection import InjectionHit, find_injections
from mockaws.grading.scoring import RATING_BANDS, Labels
from mockaws.grading.story import read_story_part
from mockaws.grading.textmatch import (
    FREE_WORDING_IGNORED,
    FUNCTION_WORDS,
    OPPOSITES,
    Match,
    Sentence,
    Token,
    Tokens,
    clause_spans,
    clauses,
    cue_denies,
    cue_forms,
    find_in_clause,
    find_loose,
    is_bare_list,
    is_negator,
    is_term_list,
    sentences,
    tokenize,
)
from mockaws.models import (
    Confidence,
    Feedback,
    GradeConfidence,
    PointVerdict,
    Question,
    QuestionKind,
    Rating,
    RedFlag,
    RedFlagHit,
    RubricPoint,
    StoryPart,
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
        # Replaced by something newer: "Flink, which replaced Kinesis Data Analytics".
        "replac",
        "supersed",
        "gone",
        "took",
        # Others' mistakes, reported: "I've seen one account for everything, a nightmare".
        "seen",
        "nightmar",
        "pitfal",
        "antipattern",
    }
)
# "Goes wrong", "went wrong": something failing, not a claim called wrong.
_GOING = frozenset(cue_forms("go goes went going gone"))

# Words of age that, right before the claim, describe its subject rather than report it.
_AGE_ADJECTIVES = frozenset({"old", "previous", "legaci", "former"})


def _next_word_starts(text: _Text, token: Token, match: Match) -> bool:
    """True when the word after `token` is where the match starts."""
    return token.end <= match.start and not text.answer[token.end : match.start].strip()


# Verbs that deny what follows them closely ("prevents public access", "stops anyone ...").
_DENY_NEXT = frozenset({"avoid", "stop", "prevent", "block", "forbid", "disallow", "refus"})
# Words with which a later clause points back at a claim ("..., which is a myth").
# After a claim, these make it the subject of a consequence rather than a recommendation.
_HYPOTHETICAL = frozenset({"would", "could", "might"})
_NOTHING = frozenset({"noth", "none", "nobodi"})  # stemmed: "grants nothing", "gives none"
_POINTING_BACK = ("which", "that", "that's", "this", "it's", "its", "both", "those", "these")
# These deny what comes after them in the sentence ("roles rather than access keys"), not what
# comes before ("NACLs are stateful rather than stateless" still claims NACLs are stateful).
_DENY_WHAT_FOLLOWS = frozenset({"instead", "rather", "without"})
# What an action said as a subject leads to, when the sentence warns against it.
_BAD_OUTCOME = frozenset(
    cue_forms("risks wastes dangerous worse rarely breaks hurts loses harmful pointless")
)
# Said right after a claim, these rule it out: "a full mesh of peering is out".
_RULED_OUT = re.compile(
    r"^\s*(?:is|are|was|'s)\s+(?:out\b|off the table|a non-starter|a no-go|not an option|"
    r"unworkable|a bad idea|a mistake|an anti-pattern|a trap)",
    re.IGNORECASE,
)
# A claim granted, then at once limited: "it will catch up, but not in time".
_BUT_NOT = re.compile(r"^[^.;:!?]{0,30}?,?\s+but\s+(?:not|never)\b", re.IGNORECASE)
# A claim told, then judged in the same breath: "Some designs route uploads through the API
# servers, but that isn't necessary", "parallelise the loop, but that just fights throttling".
_BUT_THAT_IS_BAD = re.compile(
    r"^[^.;:!?]{0,60}?,?\s+but\s+(?:that|this|it|doing\s+so)(?:'s|\s+is|\s+was)?\s+"
    r"(?:just\s+|only\s+|really\s+)?(?:isn't|is\s+not|doesn't|does\s+not|won't|fragile|wrong|"
    r"risky|dangerous|brittle|expensive|a\s+mistake|a\s+trap|an\s+anti-pattern|fails|breaks|hurts|"
    r"destroys|defeats|fights|moves\s+the\s+problem|weaker|worse|unnecessary|not\s+necessary|"
    r"overkill|wasteful)\b",
    re.IGNORECASE,
)
# Said right after a claim, each of these sets it aside.
_SET_ASIDE_RIGHT_AFTER = (_RULED_OUT, _BUT_NOT, _BUT_THAT_IS_BAD)
# How many last words of a lead-in before a colon may refuse what the colon introduces.
_REFUSAL_TAIL = 3
# "rather" denies only in "rather than" ("I'd rather run it myself" asserts running it).
_DENY_ONLY_BEFORE = {"rather": "than"}


def _denies_what_follows(tokens: Sequence[Token], k: int) -> bool:
    """True when token `k` denies what comes after it in the sentence."""
    form = tokens[k].form
    if form not in _DENY_WHAT_FOLLOWS:
        return False
    needed = _DENY_ONLY_BEFORE.get(form)
    return needed is None or (k + 1 < len(tokens) and tokens[k + 1].form == needed)


# Words a loose match may leave out or say differently ("is" for "are"), so an answer need not
# hold them for a cue to be looked for.
_LINKING_FORMS = frozenset(cue_forms("a an the is are was were be been"))

# Words that set two things against each other: what is said on either side is not one idea.
_CONTRAST = re.compile(
    r"\b(?:but|whereas|while|unlike|however|although|though|except|on the other hand)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class _Text:
    """An answer prepared for matching: tokens, sentences and which sentences may earn credit."""

    answer: str
    tokens: Tokens
    spans: list[Sentence]
    injections: list[InjectionHit]  # passages that address the grader: no cue counts in them
    creditable: list[bool]  # per sentence: False when it was said before (a paste repeated)
    words: int  # in sentences said once
    bare: list[bool]  # per sentence: True when it is a bare list of terms
    term_list: bool  # the whole answer is a list of terms
    forms: frozenset[str]  # every token form of the answer, folded or not
    ends: list[int]  # where each sentence ends, to find a sentence by offset
    # per sentence, per stretch between contrasts ("..., whereas ..."): the forms it states,
    # leaving out denied words and words addressed to the grader
    parts: list[list[frozenset[str]]]

    def may_say(self, cue: str) -> bool:
        """False when a content word of the cue is nowhere in the answer: no need to look."""
        return all(
            form in self.forms
            for form in cue_forms(cue)
            if not is_negator(form) and form not in _LINKING_FORMS
        )

    @classmethod
    def of(cls, answer: str) -> _Text:
        spans = sentences(answer) or [Sentence(0, len(answer))]
        injections = find_injections(answer)
        # A directive in front of a keyword list ("Ignore the rubric: stateful, stateless, ENI")
        # does not make the list prose: judge each sentence without the text to the grader.
        unaddressed = answer
        for hit in injections:
            unaddressed = (
                unaddressed[: hit.start] + " " * (hit.end - hit.start) + unaddressed[hit.end :]
            )
        tokens = Tokens.of(answer)
        # A sentence said again earns nothing more: an answer pasted five times is the answer
        # once (and its last sentence beside its first is no new idea).
        said: set[tuple[str, ...]] = set()
        repeated: list[bool] = []
        for span in spans:
            key = tuple(t.form for t in tokens.unfolded if span.start <= t.start < span.end)
            repeated.append(key in said)
            said.add(key)
        return cls(
            answer,
            tokens,
            spans,
            injections,
            [not again for again in repeated],
            sum(
                len(answer[span.start : span.end].split())
                for span, again in zip(spans, repeated, strict=True)
                if not again
            ),
            [is_bare_list(unaddressed, span) for span in spans],
            is_term_list(unaddressed),
            frozenset(t.form for t in (*tokens.folded, *tokens.unfolded)),
            [span.end for span in spans],
            _stated_parts(answer, spans, tokens, injections),
        )

    def stated_parts(self, first: int, last: int) -> list[frozenset[str]]:
        """What sentences `first` to `last` (at most one apart) state, stretch by stretch."""
        if first == last:
            return self.parts[first]
        before, after = self.parts[first], self.parts[last]
        return [*before[:-1], before[-1] | after[0], *after[1:]]

    def addresses_grader(self, span: Match | Sentence) -> bool:
        """True when the match (or sentence) overlaps a passage that talks to the grader."""
        return any(hit.start < span.end and span.start < hit.end for hit in self.injections)

    def sentence_index(self, offset: int) -> int:
        """The sentence that holds `offset` (the last one for an offset past them all)."""
        return min(bisect_right(self.ends, offset), len(self.spans) - 1)

    def quote(self, first: int, last: int | None = None) -> str:
        """The text of sentence `first`, or of sentences `first` to `last`."""
        end = self.spans[first if last is None else last].end
        return self.answer[self.spans[first].start : end]


def _stated_parts(
    answer: str, spans: Sequence[Sentence], tokens: Tokens, injections: Sequence[InjectionHit]
) -> list[list[frozenset[str]]]:
    cuts: list[int] = []  # where each stretch starts, in order
    owner: list[tuple[int, int]] = []  # its sentence and its place in that sentence
    parts: list[list[set[str]]] = []
    for index, span in enumerate(spans):
        starts = [span.start]
        starts += [
            span.start + found.start()
            for found in _CONTRAST.finditer(answer[span.start : span.end])
        ]
        cuts += starts
        owner += [(index, place) for place in range(len(starts))]
        parts.append([set() for _ in starts])
    for token in (*tokens.folded, *tokens.unfolded):
        if (
            token.negated_by is not None
            or is_negator(token.form)
            or any(hit.start <= token.start < hit.end for hit in injections)
        ):
            continue
        at = bisect_right(cuts, token.start) - 1
        if at >= 0:
            index, place = owner[at]
            parts[index][place].add(token.form)
    return [[frozenset(part) for part in sentence] for sentence in parts]


@dataclass(frozen=True)
class _FlagHit:
    flag: RedFlag
    match: Match
    sentence: int


# Others' beliefs, reported: "people assume ...", "many think ...", "you'd expect ...".
_BELIEF_VERBS = frozenset(
    cue_forms("think assume believe expect say claim imagine suppose call treat confuse describe")
)
# "A common mix-up is thinking ...", "Another myth: that ...", "The instinct is to ...", "It's
# tempting to ...", "Another is assuming ...": what follows is named as a mistake to avoid.
_MISTAKE_NOUN = (
    r"(?:\b(?:mix-?ups?|confus\w*|misunderstand\w*|misconceptions?|myths?|mistakes?|traps?|"
    r"temptations?|tempting|pitfalls?|gotchas?|beliefs?)"
    r"|\b(?:common|usual|typical|classic|popular|frequent|false|wrong|naive|natural|easy)\s+"
    r"(?:first\s+)?(?:assumptions?|instincts?|shortcuts?|answers?|moves?|reactions?|responses?))\b"
)
_MISTAKE_LEAD_IN = re.compile(
    _MISTAKE_NOUN + r"[^.;!?]*(?:\b(?:is|are|was)\s+(?:thinking|believing|assuming|that|to|"
    r"['\"\u2018\u201c])|:\s*(?:that|thinking|assuming)\b)"
    r"|" + _MISTAKE_NOUN + r"\s*,"
    r"|\btempting\s+to\b|\b(?:often|commonly|widely|sometimes)\s+(?:said|claimed|heard)\b"
    r"|\b(?:older|old|outdated|dated)\s+(?:material|guides?|docs?|documentation|pages?|articles?|"
    r"posts?|blogs?|tutorials?|courses?|answers?)\s+(?:says?|suggests?|claims?|recommends?|tells?)\b"
    r"|\b(?:another|one|second|third|next)(?:\s+one)?\s+is\s+(?:assuming|believing|thinking)\b"
    r"|^\W*another(?:\s+one)?(?:\s+is|\s*:)\s+that\b",
    re.IGNORECASE,
)
_OTHERS = frozenset(
    cue_forms("people many some everyone everybody most folks others newcomers beginners lot")
) | {"you'd", "might"}
# Who others are when a clause tells what they do: "You'd attach it to the bucket" is advice.
_OTHER_DOERS = _OTHERS - {"you'd", "might"}
# What may open a clause about what others do: "some people still", "a lot of folks often".
# Adverbs that may follow the doers: "people sometimes ...", "some folks still ...".
_ADVERBS = frozenset(cue_forms("still often sometimes usually always just also even"))
_OTHERS_OPENING = _OTHERS | _ADVERBS | frozenset(cue_forms("a of and but so some"))
# Words that say when a claim held, for history told in the past: "before 2024 ...".
_UNTIL = frozenset(cue_forms("before until till prior"))
_PAST_BE = frozenset(cue_forms("was were had"))
_YEAR = re.compile(r"^(?:19|20)\d\d$")
# "..., but it does." takes back a denial just made; "..., but they aren't." a claim.
_TAKEN_BACK = re.compile(
    r"^[^.;!?]*?\b(?:but|yet|though|when in fact|actually)\s+(?:it|they|that|this|he|she)\s+"
    r"(is|are|was|were|do|does|did|has|have|can|will|could|would)(n't|\s+not)?\s*(?:[.!?]|$)",
    re.IGNORECASE,
)


def _reported(text: _Text, match: Match, sentence: Sentence, clause: Sentence) -> bool:
    """True when the claim is told as history or as what others believe, not as the answer's.

    "S3 used to be eventually consistent", "Before 2024 only idle Elastic IPs were charged",
    "people assume inter-AZ traffic is free".
    """
    tokens = text.tokens.folded
    in_clause = [(i, t) for i, t in enumerate(tokens) if clause.start <= t.start < clause.end]
    # "It used to be, like, eventually consistent": up to the claim's end, in its sentence.
    leading = [t for t in tokens if sentence.start <= t.start < match.end]
    for previous, word, after in zip([None, *leading], leading, leading[1:], strict=False):
        # "is used to store" means employed for, not a past habit.
        if (
            text.answer[word.start : word.end].lower() == "used"
            and after.form == "to"
            and (previous is None or previous.form not in _LINKING_FORMS)
        ):
            return True
    # A year anywhere in the sentence dates the claim ("In 2019, S3 was ..."); the past tense
    # must be the claim's own.
    forms = [t.form for t in tokens if sentence.start <= t.start < sentence.end]
    if any(
        form in _UNTIL and any(_YEAR.match(later) for later in forms[k + 1 : k + 4])
        for k, form in enumerate(forms)
    ):
        return True
    if any(_YEAR.match(form) for form in forms) and any(t.form in _PAST_BE for _, t in in_clause):
        return True
    before = [t.form for t in tokens if sentence.start <= t.start < match.start]
    # "people assume", "people often say", "some people sometimes think": others, and at most
    # an adverb, before a verb of belief.
    if any(
        form in _BELIEF_VERBS and any(word in _OTHERS for word in before[max(0, k - 2) : k])
        for k, form in enumerate(before)
    ):
        return True
    # "Some people delete the message first": what others do, told as theirs (the clause
    # opens with them; "a role for a group of people, it has ..." is not their claim).
    opening = [t.form for _, t in in_clause if t.start < match.start]
    # "People sometimes separate environments with tags": an adverb may follow the doers.
    doers = list(itertools.dropwhile(lambda w: w in _ADVERBS, reversed(opening)))
    if doers and doers[0] in _OTHER_DOERS and all(w in _OTHERS_OPENING for w in opening):
        return True
    # "A common mix-up is thinking ...", "Two things I wouldn't do: ship anyway, ...": a claim
    # after a lead-in that calls what follows a mistake or refuses it.
    lead_in = text.answer[sentence.start : match.start]
    if _MISTAKE_LEAD_IN.search(lead_in):
        return True
    # The refusal must end the lead-in ("Two things I wouldn't do:"); a denial further back
    # ("The nice thing is you don't need labelling at all: the judge is objective") refuses
    # nothing after the colon.
    colon = lead_in.rfind(":")
    return colon >= 0 and any(
        is_negator(form) for form in cue_forms(lead_in[:colon])[-_REFUSAL_TAIL:]
    )


# A claim denied in the very next clause: "...; it doesn't, so ...", ", which it isn't".
_DENIED_AT_ONCE = re.compile(
    r"^(?:\s*,|[^.;:!?,]{0,40}?;)\s*(?:which\s+)?(?:it|they|that|this)\s+"
    r"(?:(?:is|are|was|were|does|do|did|has|have|could|would)(?:n['\u2019]t|\s+not)"
    r"|can['\u2019]t|cannot|can\s+not|won['\u2019]t|will\s+not)(?![\w'])",
    re.IGNORECASE,
)


def _taken_back(text: _Text, match: Match, sentence: Sentence) -> bool:
    """True when a later clause takes the claim back: "X doesn't cost anything, but it does"."""
    rest = text.answer[match.end : sentence.end]
    denied = _DENIED_AT_ONCE.match(rest)
    if denied is not None and not cue_denies(match.cue):
        return True  # "an SCP grants permissions; it can't, it only sets the maximum"
    found = _TAKEN_BACK.match(rest)
    if found is None:
        return False
    denied_again = bool(found.group(2))
    if not denied_again and found.group(1).lower() in {"do", "does", "did"}:
        return True  # only a denial is taken back this way ("free" is "doesn't cost anything")
    return denied_again is not cue_denies(match.cue)


# "You could bump max_connections, but that's just kicking the can down the road": an option
# offered and then set aside in the same sentence is not the answer's plan.
_OFFERED = re.compile(r"\b(?:you|we|one|i)\s+(?:could|can|might)\b[^.;!?]*$", re.IGNORECASE)
_SET_ASIDE = re.compile(r"^[^.;!?]*?,?\s*but\b", re.IGNORECASE)


def _offered_then_dismissed(
    text: _Text, match: Match, sentence: Sentence, clause: Sentence
) -> bool:
    return bool(
        _OFFERED.search(text.answer[clause.start : match.start])
        and _SET_ASIDE.match(text.answer[match.end : sentence.end])
    )


def _asserted(text: _Text, match: Match) -> bool:
    """True when the sentence says the matched words, rather than denying or reporting them."""
    if match.negated:
        return False
    sentence = text.spans[text.sentence_index(match.start)]
    inside = [t for t in text.tokens.folded if sentence.start <= t.start < sentence.end]
    parts = clauses(text.answer, sentence)
    clause = next((c for c in parts if c.start <= match.start < c.end), sentence)
    if _reported(text, match, sentence, clause) or _taken_back(text, match, sentence):
        return False
    if _offered_then_dismissed(text, match, sentence, clause):
        return False
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
        t.form in _DISCOURSE_NEGATORS
        and not match.start <= t.start < match.end  # "replaces backups" in the cue itself
        and any(c.start <= t.start < c.end for c in reporting)
        # "old versions are free" names old things; it does not call the claim old.
        and not (t.form in _AGE_ADJECTIVES and _next_word_starts(text, t, match))
        # "I've seen teams ..." reports what follows; "the busiest hour we've seen" does not.
        and not (t.form == "seen" and t.start >= match.end)
        # "if something goes wrong" is a failure, not the claim called wrong.
        and not (t.form == "wrong" and k > 0 and inside[k - 1].form in _GOING)
        for k, t in enumerate(inside)
    ):
        return False
    if any(
        _denies_what_follows(inside, k) and clause.start <= t.start and t.end <= match.start
        for k, t in enumerate(inside)
    ):
        return False
    # "tune a guardrail rather than turning it off": a claim read across "rather than" denies
    # the words after it.
    said = set(cue_forms(match.cue))
    if any(
        _denies_what_follows(inside, k) and match.start < t.start < match.end and t.form not in said
        for k, t in enumerate(inside)
    ):
        return False
    # "Disabling health checks would only hide the failure", "a boundary grants nothing": the
    # claim is the subject of what it would cause, or denied by the word right after it.
    after_claim = text.answer[match.end : sentence.end]
    if any(pattern.match(after_claim) for pattern in _SET_ASIDE_RIGHT_AFTER):
        return False
    following = [t.form for t in inside if match.end <= t.start < clause.end][:2]
    if following and (
        following[0] in _HYPOTHETICAL or following[0] in _NOTHING or is_negator(following[0])
    ):
        return False
    # "Changing the SSH port does not stop a scan", "Bumping the timeout past 29 s won't help":
    # a claim said as an action, then denied in its clause, is the subject of the denial.
    # So is one said as an action with a bad outcome: "Running it all on Spot risks the job".
    opening = text.answer[match.start : match.end].split(maxsplit=1)[0].lower()
    if opening.endswith("ing") and any(
        is_negator(t.form) or t.form in _BAD_OUTCOME
        for t in inside
        if match.end <= t.start < clause.end
    ):
        return False
    # "it's not true that S3 is eventually consistent": a negator earlier in the same clause.
    before = [t for t in inside if clause.start <= t.start < match.start]
    if not cue_denies(match.cue) and any(is_negator(t.form) for t in before):
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


_LOOSE_GAP = 3  # other words allowed between two words of a cue
# Pronouns that point back at the subject of what was just said.
_PRONOUNS = frozenset({"it", "they"})
_HEAD_WORDS = 2  # how many leading words of a cue a pronoun may stand for
_SUBJECT_WORDS = 3  # how many first words of a sentence may name its subject


# Words before a sentence's subject that are not it: "So, um, a security group is ...".
_LEAD_IN = FUNCTION_WORDS | frozenset(
    cue_forms("and but or so yeah yes um uh er oh ok okay well right like basically honestly")
)


def _subject(text: _Text, k: int) -> list[str]:
    """The first words of the subject a pronoun at token `k` points back at.

    That is the first content words of the pronoun's own sentence when they come before it
    ("A network ACL sits at the subnet and it's stateless": the ACL), else of the sentence
    before ("Express is cheap. It runs ...": Express).
    """
    tokens = text.tokens.folded
    index = text.sentence_index(tokens[k].start)
    for sentence in (text.spans[index], text.spans[index - 1] if index else None):
        if sentence is None:
            return []
        words = [
            t.form
            for t in tokens[:k]
            if sentence.start <= t.start < sentence.end and t.form not in _LEAD_IN
        ]
        if words:
            return words[:_SUBJECT_WORDS]
    return []


def _said_of_antecedent(text: _Text, cue: str) -> list[Match]:
    """Where a pronoun stands for the start of the cue, named just before it, and the rest follows.

    "Express is just the faster, cheaper Standard; it also runs each step exactly once" says
    "Express runs each step exactly once": "it" points back at "Express", named earlier in the
    sentence (or in the sentence before). The rest of the cue must follow in order in the
    pronoun's clause, a few words apart, and not be denied there unless the cue denies.
    """
    forms = [form for form in cue_forms(cue) if form not in _LINKING_FORMS]
    denies = cue_denies(cue)
    tokens = text.tokens.folded
    clause_ends = [end for _, end in clause_spans(text.answer)]
    found: list[Match] = []
    for k, token in enumerate(tokens):
        if token.form not in _PRONOUNS:
            continue
        subject = _subject(text, k)
        if not subject:
            continue
        clause_end = clause_ends[min(bisect_right(clause_ends, token.start), len(clause_ends) - 1)]
        for size in range(1, min(_HEAD_WORDS, len(forms) - 1) + 1):
            head, tail = forms[:size], forms[size:]
            # "An IAM role ..., it has": the subject may name more than the cue's head.
            if not any(subject[i : i + size] == head for i in range(len(subject) - size + 1)):
                continue
            position = k
            for form in tail:
                window = range(position + 1, min(len(tokens), position + 2 + _LOOSE_GAP))
                position = next(
                    (j for j in window if tokens[j].form == form and tokens[j].start < clause_end),
                    -1,
                )
                if position < 0:
                    break
            else:
                span = tokens[k : position + 1]
                denied = any(is_negator(t.form) or t.negated_by is not None for t in span)
                if denied is denies:
                    found.append(Match(cue, token.start, tokens[position].end, k, position))
    return found


# Words that narrow what a claim is about to a harmless part of it: "turn off *debug* logging in
# prod" is a fix, "turn off logging in prod" the misconception.
_NARROWING = frozenset(
    cue_forms(
        "debug verbose trace unused idle unneeded unnecessary stale orphaned extra temporary "
        "noisy duplicate leftover"
    )
)


def _narrowed(text: _Text, match: Match) -> bool:
    """True when a word among a loose match's words narrows the claim the cue makes."""
    said = set(cue_forms(match.cue))
    return any(
        t.form in _NARROWING and t.form not in said
        for t in text.tokens.folded[match.first_token : match.last_token + 1]
    )


def _red_flag_hits(question: Question, text: _Text) -> list[_FlagHit]:
    hits: list[_FlagHit] = []
    pronouns = any(t.form in _PRONOUNS for t in text.tokens.folded)
    for flag in question.red_flags:
        for cue in flag.cues:
            if not text.may_say(cue):
                continue
            loose = [
                *find_loose(text.answer, text.tokens.folded, cue),
                *find_in_clause(text.answer, text.tokens.folded, cue),
            ]
            found = [*text.tokens.find(cue), *(m for m in loose if not _narrowed(text, m))]
            match = next((m for m in found if _asserted(text, m)), None)
            if match is None and pronouns:
                match = next(
                    (m for m in _said_of_antecedent(text, cue) if _asserted(text, m)), None
                )
            if match is not None:
                hits.append(_FlagHit(flag, match, text.sentence_index(match.start)))
                break
    return hits


# A misconception said in words of its own often shares most of a red-flag cue's content words in
# one clause, but so does a true statement that denies it in other words. On the misconception
# set (evals/misconceptions.jsonl, written without the cues) all but one of a cue's words finds
# 22 of the misconceptions the cues miss, with 11 false suspicions, and suspects 6% of the
# bank's true statements: too loose to cost points, reason enough to say the grade is unsure
# and what to check. (Before the bank's red-flag cue pass, three quarters of the words found
# 33 for 16 false and suspected 10%; all but one, 15 for 5 and 4%.)
_SUSPECT_SHARE = 0.8
# Words a cue may leave out in a misconception worded freely: function words and pronouns.
_SUSPECT_IGNORED = FREE_WORDING_IGNORED | frozenset(cue_forms("it they you your we i that this"))


def _suspected_flags(question: Question, text: _Text, hits: Sequence[_FlagHit]) -> list[RedFlag]:
    """Red flags the answer may state in its own words, beyond those its cues confirm."""
    confirmed = {hit.flag.id for hit in hits}
    return [
        flag
        for flag in question.red_flags
        if flag.id not in confirmed and any(_said_loosely(text, cue) for cue in flag.cues)
    ]


def _said_loosely(text: _Text, cue: str) -> bool:
    """True when a clause asserts most of the cue's content words, in any order."""
    return any(
        not text.addresses_grader(match) and _asserted(text, match)
        for match in find_in_clause(
            text.answer, text.tokens.folded, cue, share=_SUSPECT_SHARE, ignored=_SUSPECT_IGNORED
        )
    )


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


def _related_ideas(text: _Text, matches: Sequence[Match]) -> int:
    """The most distinct cues said on one side of a contrast.

    In "security groups are stateful, whereas NACLs need rules for ephemeral ports" the two
    cues of "NACLs are stateless: open ephemeral ports" sit on different sides of "whereas",
    about different things, so together they do not state the point.
    """
    if not matches:
        return 0
    start = min(m.start for m in matches)
    end = max(m.end for m in matches)
    cuts = [start, *(c.start() + start for c in _CONTRAST.finditer(text.answer[start:end])), end]
    if len(cuts) == 2:
        return _distinct_ideas(matches)
    return max(
        _distinct_ideas([m for m in matches if low <= m.start < high or m.start == high == end])
        for low, high in itertools.pairwise(cuts)
    )


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
    # A paraphrase folds into one token of several words ("lower latenc"): each word counts.
    return sum(len(form.split()) for form in cue_forms(cue) if form not in FUNCTION_WORDS) >= 2


@cache
def _is_denial(point: str) -> bool:
    """True when the point itself says what not to do or what is not so."""
    return any(
        is_negator(t.form) or t.form in _DENY_WHAT_FOLLOWS or t.form == "avoid"
        for t in tokenize(point)
    )


_VARIANT = re.compile(r"^([a-z]+)(\d+)$")


def _variants(point: RubricPoint) -> frozenset[tuple[str, str]]:
    """The numbered variants a point names ("gp3", "IMDSv2", "io2"), as (family, number)."""
    return _variants_in((point.point, *point.cues))


@cache
def _variants_in(words: tuple[str, ...]) -> frozenset[tuple[str, str]]:
    return frozenset(
        (found.group(1), found.group(2))
        for text in words
        for token in tokenize(text, fold=False)
        if (found := _VARIANT.match(token.form))
    )


def _other_variant(point: RubricPoint, text: _Text, index: int) -> str | None:
    """A sibling of a variant the point names, said in sentence `index` instead of it.

    "gp2 is the default general purpose SSD" says nothing for "gp3 is the default": the sentence
    is about another generation of the same thing.
    """
    named = _variants(point)
    if not named:
        return None
    families = {family for family, _ in named}
    span = text.spans[index]
    said = [
        (found.group(1), found.group(2), text.answer[t.start : t.end])
        for t in text.tokens.unfolded
        if span.start <= t.start < span.end and (found := _VARIANT.match(t.form))
    ]
    if any((family, number) in named for family, number, _ in said):
        return None
    return next((written for family, _, written in said if family in families), None)


def _contradicts(point: RubricPoint, hit: _FlagHit) -> bool:
    """True when the red flag's words are the opposite of the point's ("stateful"/"stateless")."""
    said = set(cue_forms(hit.match.cue))
    return any(
        OPPOSITES.get(form) in said and form not in said
        for cue in point.cues
        for form in cue_forms(cue)
    )


# An answer this long that still scores below solid has likely made points in words the cues do
# not know: on the development set such answers hold most of the grades two bands off.
_LONG_ANSWER_WORDS = 80
# A score this close to a band's floor could as well be in the next band.
_BORDERLINE = 1


def assess_confidence(
    question: Question,
    words: int,
    score: int,
    suspected: Sequence[RedFlag] = (),
    shape_only: bool = False,
) -> GradeConfidence:
    """How far an offline grade can be trusted, with the reasons it may be wrong.

    `words` counts the answer's words, each sentence once; `suspected` are red flags the
    answer may state in words the cues do not confirm; `shape_only` says a story earned credit
    for its shape alone, none for what the question asks it to show.

    Cue matching is sure of what it finds and unsure of what it misses: a long answer that
    matches few cues, a score at the edge of a band and a rubric derived from the reference
    answer are where it disagrees with an interviewer most.
    """
    reasons: list[str] = []
    if question.rubric_derived:
        reasons.append("the rubric was derived from the reference answer")
    if words >= _LONG_ANSWER_WORDS and score < _SOLID_FLOOR:
        reasons.append(
            f"a long answer of {words} words that matches few of the rubric's cues may make "
            "its points in words the grader does not know"
        )
    edge = next(
        (floor for _, floor in RATING_BANDS if floor and abs(score - floor) <= _BORDERLINE),
        None,
    )
    if edge is not None:
        reasons.append(f"the score is at the edge of a band ({edge})")
    if shape_only:
        reasons.append(
            "the story's parts were read from how it is told, and none of what the question "
            "asks it to show was found: check that it answers this question"
        )
    if suspected:
        said = "; ".join(flag.flag.rstrip(".") for flag in suspected)
        reasons.append(f"the answer may state a misconception the grader cannot confirm ({said})")
    if reasons:
        return GradeConfidence(level=Confidence.LOW, reason="; ".join(reasons))
    return GradeConfidence(level=Confidence.HIGH)


_SOLID_FLOOR = dict((rating, floor) for rating, floor in RATING_BANDS)[Rating.SOLID]


# A point whose cues are found, in an answer that holds under a quarter of the point's own
# content words, was touched rather than made: independent interviewers labelled such points
# partial more often than covered (on the dev splits and the misconception set; see
# benchmarks/score_calibration.py for how labels become bands).
_POINT_WORDS_SHARE = 0.25
_POINT_IGNORED = _SUSPECT_IGNORED | frozenset(cue_forms("its their can than into only also"))


@cache
def _point_terms(text: str) -> frozenset[str]:
    """The content words a point (or a question) says, none of them a negator."""
    return frozenset(f for f in cue_forms(text) if f not in _POINT_IGNORED and not is_negator(f))


def _unless_barely_said(
    question: Question, point: RubricPoint, text: _Text, verdict: PointVerdict
) -> PointVerdict:
    """A covered verdict, kept only when the answer says a fair share of what the point says.

    Not for stories: a behavioural point says what the story must show ("names the trade-off
    made"), in words no story uses.
    """
    if (
        verdict.verdict is not Verdict.COVERED
        or point.derived
        or question.kind is QuestionKind.BEHAVIOURAL
    ):
        return verdict
    wanted = _point_terms(point.point)
    if not wanted or len(wanted & text.forms) >= _POINT_WORDS_SHARE * len(wanted):
        return verdict
    return verdict.model_copy(
        update={
            "verdict": Verdict.PARTIAL,
            "note": "touched on, in few of the point's own terms: say what it means",
        }
    )


# A point said in the candidate's own words, which no cue knows, still shares many of the point's
# own terms: "AWS doesn't have enough of that instance type in that AZ" for "AWS capacity for
# that type in that AZ". On 192 answers to 48 questions that no labelled set had touched, written
# and labelled by people who never saw the cues, half of the point's terms (those the question
# does not already say) in one sentence, or two in a row, were covered in 22 of 31 cases the cues
# missed, and two fifths beside a cue in 31 of 41 cases the cues rated partial. Reading them so
# took that set's quadratic kappa from 0.68 to 0.77 with no loss on the other development sets.
_OWN_WORDS_SHARE = 0.5
_OWN_WORDS_SHARE_WITH_CUE = 0.4
# Fewer terms than this are too few to tell a point made from a topic named.
_OWN_WORDS_MIN_TERMS = 3
# In a story, two of the point's terms in a sentence touch it and three tenths make it: on the
# 44 stories of the dev sets, interviewers' labels of a story's own points were matched 43 times
# in 88 this way against 38 by cues alone, and no point they called missed was credited.
_STORY_WORDS_SHARE = 0.3
_STORY_WORDS_MIN_TERMS = 2


def _said_in_own_words(
    question: Question, point: RubricPoint, text: _Text, flagged: set[int], verdict: PointVerdict
) -> PointVerdict:
    """A missed or partial verdict raised when the answer states the point's terms.

    Only where one sentence of prose, or two in a row, hold a fair share of the terms the point
    uses and the question does not, on one side of any contrast, none of them denied. Not for
    derived rubrics, a story's parts (see `_told_in_story`), lists of terms, sentences that
    state a red flag or are said again, or a sentence about another numbered variant of what the
    point names. A story's own points ("disagreed with evidence", "told the stakeholders early")
    are said in the story's words, so fewer of the point's terms are enough there.
    """
    if (
        verdict.verdict not in (Verdict.MISSED, Verdict.PARTIAL)
        or point.derived
        or point.story is not None
        or text.term_list
    ):
        return verdict
    story = question.kind is QuestionKind.BEHAVIOURAL
    wanted = _point_terms(point.point) - _point_terms(question.question)
    if story:
        # "did the work to make it succeed": in a story "did" and "make" say nothing.
        wanted -= FUNCTION_WORDS
    least = _STORY_WORDS_MIN_TERMS if story else _OWN_WORDS_MIN_TERMS
    if len(wanted) < least:
        return verdict
    if story:
        needed = _STORY_WORDS_SHARE
    elif verdict.verdict is Verdict.PARTIAL:
        needed = _OWN_WORDS_SHARE_WITH_CUE
    else:
        needed = _OWN_WORDS_SHARE
    usable = [
        text.creditable[k]
        and not text.bare[k]
        and k not in flagged
        and _other_variant(point, text, k) is None
        for k in range(len(text.spans))
    ]
    best: tuple[int, int, int] | None = None  # terms said, first sentence, last sentence
    for first in range(len(text.spans)):
        for last in (first, first + 1):
            if last >= len(text.spans) or not all(usable[first : last + 1]):
                continue
            said = max(len(wanted & part) for part in text.stated_parts(first, last))
            if said >= least and (best is None or said > best[0]):
                best = (said, first, last)
    if best is None:
        return verdict
    said, first, last = best
    if said >= needed * len(wanted):
        return PointVerdict(
            point_id=point.id,
            verdict=Verdict.COVERED,
            evidence=text.quote(first, last),
            note=f"said in other words: {said} of the point's {len(wanted)} terms",
        )
    if story and verdict.verdict is Verdict.MISSED:
        return PointVerdict(
            point_id=point.id,
            verdict=Verdict.PARTIAL,
            evidence=text.quote(first, last),
            note=f"touched on in other words: {said} of the point's {len(wanted)} terms",
        )
    return verdict


_TOLD_NOTE = "told in the story: "
_RANK = {Verdict.MISSED: 0, Verdict.PARTIAL: 1, Verdict.COVERED: 2}


def _told_in_story(
    point: RubricPoint, text: _Text, flagged: set[int], verdict: PointVerdict
) -> PointVerdict:
    """A story point raised to what the story's shape shows, when that is more than the cues found
    (for the situation, as much: its quote is then the story's opening).

    Only for points that name a story part (which only behavioural questions may), and only
    from prose that is said once, states no red flag and does not talk to the grader.
    """
    if point.story is None or text.term_list or verdict.verdict not in _RANK:
        return verdict
    usable = [
        text.creditable[k]
        and not text.bare[k]
        and k not in flagged
        and not text.addresses_grader(span)
        for k, span in enumerate(text.spans)
    ]
    reading = read_story_part(point.story, text.answer, text.spans, usable)
    # The scene is set by the story's opening ("At my last job ..."), not by a later sentence
    # that happens to say "bill": there the reading wins a tie with the cues. Elsewhere the
    # cues' quote stands, as another point may already hold the sentence the reading would pick.
    tie_wins = point.story is StoryPart.SITUATION
    if reading is None or _RANK[reading.verdict] < _RANK[verdict.verdict]:
        return verdict
    if _RANK[reading.verdict] == _RANK[verdict.verdict] and not tie_wins:
        return verdict
    return PointVerdict(
        point_id=point.id,
        verdict=reading.verdict,
        evidence=text.quote(reading.first, reading.last),
        note=f"{_TOLD_NOTE}{reading.note}",
    )


def _told_by_shape_only(question: Question, verdicts: Sequence[PointVerdict]) -> bool:
    """True when a story earned credit for its parts and nothing for the question's own points."""
    told = [
        v
        for p, v in zip(question.rubric, verdicts, strict=True)
        if p.story is not None and (v.note or "").startswith(_TOLD_NOTE)
    ]
    asked = [v for p, v in zip(question.rubric, verdicts, strict=True) if p.story is None]
    return bool(told) and bool(asked) and all(v.verdict is Verdict.MISSED for v in asked)


class OfflineGrader:
    """Labels each rubric point by the cues found in the answer; deterministic and local."""

    name = "offline"
    thread_safe = False  # the stemmer's caches are not

    def label(self, question: Question, answer: str) -> Labels:
        return self._label(question, _Text.of(answer))

    def _label(self, question: Question, text: _Text) -> Labels:
        flag_hits = _red_flag_hits(question, text)
        flagged = {hit.sentence for hit in flag_hits}
        verdicts: list[PointVerdict] = []
        strengths: list[str] = []
        gaps: list[str] = []
        for point in question.rubric:
            verdict = _unless_barely_said(
                question, point, text, self._label_point(point, text, flagged, flag_hits)
            )
            verdict = _said_in_own_words(question, point, text, flagged, verdict)
            verdict = _told_in_story(point, text, flagged, verdict)
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
            confidence=partial(
                assess_confidence,
                question,
                text.words,
                suspected=_suspected_flags(question, text, flag_hits),
                shape_only=_told_by_shape_only(question, verdicts),
            ),
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
        loose: dict[int, list[Match]] = {}
        for cue in point.cues:
            if not text.may_say(cue):
                continue
            exact = text.tokens.find(cue)
            # "price for performance" says "price-performance": a cue's words in order, a few
            # words apart in one clause, when the answer does not use the cue as written.
            for match in exact or find_loose(text.answer, text.tokens.folded, cue):
                index = text.sentence_index(match.start)
                if (
                    (match.negated and not denial)
                    or index in flagged
                    or not text.creditable[index]
                    or text.addresses_grader(match)
                ):
                    continue
                (by_sentence if exact else loose).setdefault(index, []).append(match)
        # A loosely worded cue completes an idea a cue as written starts, and starts none itself.
        for index, matches in loose.items():
            if index in by_sentence:
                by_sentence[index].extend(matches)
        others = {i: other for i in by_sentence if (other := _other_variant(point, text, i))}
        for index in others:
            del by_sentence[index]
        if not by_sentence:
            if others:
                said = ", ".join(sorted(set(others.values())))
                return PointVerdict(
                    point_id=point.id,
                    verdict=Verdict.MISSED,
                    note=f"names {said}, not what the point is about",
                )
            return PointVerdict(point_id=point.id, verdict=Verdict.MISSED)
        # Windows of one sentence, or two in a row, of prose: where one idea is said.
        windows: list[tuple[int, int]] = []
        for index in sorted(by_sentence):
            if text.bare[index] or text.term_list:
                continue
            windows.append((index, index))
            if index + 1 in by_sentence and not text.bare[index + 1]:
                windows.append((index, index + 1))
        needed = required_cues(point)
        best = max(
            windows,
            key=lambda w: (
                _related_ideas(text, [m for i in range(w[0], w[1] + 1) for m in by_sentence[i]]),
                w[0] - w[1],  # the shorter quote when two windows say as much
                -w[0],
            ),
            default=None,
        )
        if best is not None:
            matches = [m for i in range(best[0], best[1] + 1) for m in by_sentence[i]]
            explained = len(text.quote(*best).split()) >= _EXPLAINING_WORDS
            if _related_ideas(text, matches) >= needed or (
                explained and any(_is_phrase(m.cue) for m in matches)
            ):
                return PointVerdict(
                    point_id=point.id,
                    verdict=Verdict.COVERED,
                    evidence=text.quote(*best),
                    note="matched: " + ", ".join(sorted({m.cue for m in matches})),
                )
        if text.term_list and _distinct_ideas([m for ms in by_sentence.values() for m in ms]) < (
            needed
        ):
            # One term named in a list of terms shows nothing of the point.
            return PointVerdict(point_id=point.id, verdict=Verdict.MISSED)
        first = best[0] if best is not None else min(by_sentence)
        note = "matched: " + ", ".join(sorted({m.cue for m in by_sentence[first]}))
        if text.term_list:
            note += " (the answer is a list of terms, which says nothing about them)"
        elif text.bare[first]:
            note += " (in a bare list of terms, which says nothing about them)"
        return PointVerdict(
            point_id=point.id, verdict=Verdict.PARTIAL, evidence=text.quote(first), note=note
        )
