"""Reading the shape of a story told for a behavioural question.

A behavioural rubric asks any story for the same parts: where and when it happened and what was
at stake, what the candidate did themselves, a result with numbers, and what they learned. A
candidate's own story shares few words with the reference story, so cues written from the
reference find little in it; these parts show in how a story is told instead:

- the situation: a setting ("At my last job", "a couple of years ago", "we were migrating") near
  the start, with what was at stake (customers, an outage, a deadline, the bill);
- the actions: sentences where "I" did something ("I wrote", "I rolled it back", "I took it
  on"), not "we" and not "I'd";
- the result: a later sentence with a number and a change ("went from two hours to fifteen
  minutes", "dropped by 85 percent");
- the lesson: "what I learned", "since then", "now I always", "if I did it again".

Each part read this way is one sentence of the answer, quoted as the evidence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from mockaws.grading.textmatch import Sentence
from mockaws.models import StoryPart, Verdict

_SETTING = re.compile(
    r"\b(?:"
    r"(?:at|in|with|for) (?:my|our|a|an|one|this) (?:\w+[ -]){0,3}?"
    r"(?:job|company|employer|team|role|startup|start-up|client|customer|bank|retailer|agency|"
    r"fintech|firm|shop|internship|project|org|organi[sz]ation|place|platform|product|squad)\b|"
    r"(?:a|one|two|three|four|five|few|couple of|several) (?:years?|months?|weeks?|quarters?) "
    r"(?:ago|back)|"
    r"last (?:year|quarter|month|spring|summer|autumn|fall|winter)|"
    r"(?:one|this|a) time\b|there was (?:a|this|one)\b|once\b|"
    r"we (?:were|had) (?:\w+ ){0,2}?(?:building|migrating|moving|running|replacing|launching|"
    r"about|preparing|working|planning|asked|rolling|switching|using|shipping|designing)|"
    r"i (?:was|had been) (?:\w+ ){0,2}?(?:working|leading|asked|responsible|tasked|building|"
    r"running|owning|on call|on-call|the only|new)|"
    r"(?:situation|context|background|setting)\s*:)",
    re.IGNORECASE,
)
_STAKES = re.compile(
    r"\b(?:customers?|users?|clients?|outages?|downtime|revenue|deadline|launch|release|bill|"
    r"costs?|spend|dollars|budget(?:ed)?|incidents?|broke|broken|failing|failed|failures?|errors?|"
    r"risks?|risky|production|prod|paged|pager|on-?call|sla|slos?|compliance|audit|security|leak|"
    r"leaked|lost|losing|late|slipp\w*|behind|blocked|critical|urgent|demo|manual|hours|weeks|"
    r"slow|painful|complain\w*|money|exposed|data)\b|\$\s?\d",
    re.IGNORECASE,
)
# "I" and what they did: a verb in the past (or the present of a story told so), after at most
# a few adverbs. "I'd" and "I would" are what they would do, not what they did.
_OWN_ACTION = re.compile(
    r"\bi (?:(?:also|then|first|quickly|immediately|personally|just|actually|finally|still|"
    r"even|myself|eventually|later|next|initially|basically|really|properly|deliberately)\s+)*"
    r"(?!(?:was|wasn't|had|didn't|did not|couldn't|wouldn't|needed|wanted|guess|think|"
    r"thought|felt|assumed|believed|realized|realised|knew|hoped|liked|loved|hated|used)\b)"
    r"(?:\w+ed|wrote|built|set|took|made|ran|put|got|led|drove|did|found|sent|told|brought|"
    r"began|chose|spoke|met|showed|gave|kept|held|sat|dug|drew|went|read|split|cut|shut|paid|"
    r"won|bought|caught|taught|fought|rebuilt|rewrote|undid|stood|threw|flew|broke|forgot|"
    r"understood|hid|left|let|lost|meant|rang|sold|shook|spent|struck|swept|tore|wound|worked)\b",
    re.IGNORECASE,
)
# Terse stories mark the candidate's part: "Action (mine): ...", "my change", "my call".
_ACTIONS_LABEL_TEXT = r"\b(?:action|actions|what i did)\s*(?:\(mine\))?\s*:|\(mine\)"
_ACTIONS_LABEL = re.compile(_ACTIONS_LABEL_TEXT, re.IGNORECASE)
_LABELLED_ACTIONS_WORDS = 8
_OWN_PART = re.compile(
    _ACTIONS_LABEL_TEXT
    + r"|\bmy (?:own )?(?:change|deploy|deployment|decision|call|mistake|fault|script|commit|pr)\b",
    re.IGNORECASE,
)
# "One" and "a" count things in passing ("one service", "a month"); a result is measured.
_NUMBER_WORDS = (
    r"half|halved|doubled|tripled|twice|zero|two|three|four|five|six|seven|eight|nine|ten|"
    r"eleven|twelve|fifteen|twenty|thirty|forty|fifty|sixty|ninety|hundred|thousand|million|"
    r"dozen|\w+fold"
)
_QUANTITY = re.compile(rf"\d|%|\b(?:{_NUMBER_WORDS})\b", re.IGNORECASE)
_CHANGE = re.compile(
    r"\b(?:from \S+(?: \S+){0,8}? to|down to|up to|dropped|drop|fell|cut|reduced|saved|saving|"
    r"savings|improved|under|below|within|fewer|less|lower|faster|quicker|shorter|instead of|"
    r"no more|removed|eliminated|stopped|recovered|restored|avoided|prevented|shrank|halved|"
    r"rose|increased|grew|back to|in (?:about|under|less than)|by \d|by (?:about|around|half|"
    r"roughly|nearly|almost|over)|per cent|percent|in (?:\d|"
    + _NUMBER_WORDS
    + r")|(?:result|results|outcome|impact)\s*:)\b|%|->|→|=>",
    re.IGNORECASE,
)
# An outcome without a number: the story ends, but the result is not measured.
_OUTCOME = re.compile(
    r"\b(?:went live|went well|worked|it's been (?:fine|stable|running)|stable|no (?:more )?"
    r"(?:outages?|incidents?|issues|problems|complaints)|on time|succeeded|success|shipped|"
    r"launched|delivered|resolved|fixed|happy|never happened again|didn't happen again|"
    r"hasn't happened|paid off|the result|in the end|eventually)\b",
    re.IGNORECASE,
)
_LESSON = re.compile(
    r"\b(?:lessons?|learn(?:ed|t|ing)|taught me|takeaway|take-away|took away|took from|"
    r"what i took|since then|since that|these days|from then on|ever since|now i|i now|now we|"
    r"we now|next time|if i did it again|if i were to|if i had to do it|i'd do (?:it )?"
    r"differently|would do (?:it )?differently|do differently|changed how|i always|i never|"
    r"stuck with me|my rule|i've (?:since|learned|started|stopped)|i make sure|i try to|"
    r"i still|going forward)\b",
    re.IGNORECASE,
)
# A lesson said in a sentence this long says what it is; "Lesson learned." only names one.
_LESSON_WORDS = 8
# "I put together a proposal, and then I just did it, I moved it to CodePipeline": one
# sentence of a spoken story that says this many things the candidate did.
_DEEDS_IN_ONE_SENTENCE = 3
# The setting is told near the start, in the first few sentences.
_OPENING_SENTENCES = 3


@dataclass(frozen=True)
class StoryReading:
    """A part of the story found in the answer: how well, and the sentence that shows it."""

    verdict: Verdict
    first: int  # the sentences quoted, first to last
    last: int
    note: str


def read_story_part(
    part: StoryPart, answer: str, spans: Sequence[Sentence], usable: Sequence[bool]
) -> StoryReading | None:
    """The best evidence of `part` in the answer's usable sentences, or None when it is absent."""
    said = [
        (index, answer[span.start : span.end])
        for index, span in enumerate(spans)
        if usable[index] and answer[span.start : span.end].strip()
    ]
    if not said:
        return None
    if part is StoryPart.SITUATION:
        return _situation(said)
    if part is StoryPart.ACTIONS:
        return _actions(said)
    if part is StoryPart.RESULT:
        return _result(said)
    return _lesson(said)


def _situation(said: list[tuple[int, str]]) -> StoryReading | None:
    opening = said[:_OPENING_SENTENCES]
    setting = next((index for index, words in opening if _SETTING.search(words)), None)
    stakes = next((index for index, words in opening if _STAKES.search(words)), None)
    if setting is not None and stakes is not None:
        first, last = min(setting, stakes), max(setting, stakes)
        return StoryReading(
            Verdict.COVERED, first, last, "tells where and when, and what was at stake"
        )
    if setting is not None:
        return StoryReading(
            Verdict.PARTIAL, setting, setting, "tells where and when, not what was at stake"
        )
    return None


def _actions(said: list[tuple[int, str]]) -> StoryReading | None:
    # "What I learned ..." is the lesson, not a deed.
    own = [
        index
        for index, words in said
        if (_OWN_ACTION.search(words) or _OWN_PART.search(words)) and not _LESSON.search(words)
    ]
    deeds = sum(
        len(_OWN_ACTION.findall(words)) + len(_OWN_PART.findall(words))
        for index, words in said
        if index in own
    )
    # Two sentences of them, quoted from the first to the second (one "I" sentence may be a
    # judgement the rubric credits elsewhere), or a spoken run of deeds in one long sentence.
    if len(own) >= 2:
        return StoryReading(
            Verdict.COVERED, own[0], own[1], f"says what they did themselves ({len(own)} sentences)"
        )
    # A terse story labels its part: "Action (mine): CodePipeline + CodeBuild, build once, ...".
    labelled = next(
        (
            index
            for index, words in said
            if _ACTIONS_LABEL.search(words) and len(words.split()) >= _LABELLED_ACTIONS_WORDS
        ),
        None,
    )
    if labelled is not None:
        return StoryReading(Verdict.COVERED, labelled, labelled, "lists what they did themselves")
    if deeds >= _DEEDS_IN_ONE_SENTENCE:
        return StoryReading(
            Verdict.COVERED, own[0], own[0], f"says what they did themselves ({deeds} things)"
        )
    if own:
        return StoryReading(
            Verdict.PARTIAL, own[0], own[0], "says little of what they did themselves"
        )
    return None


def _result(said: list[tuple[int, str]]) -> StoryReading | None:
    # The result comes after the scene is set (the opening sentence's numbers are the problem),
    # and after the digging (whose numbers are findings): the last measured sentence.
    later = said[1:] if len(said) > 1 else said
    measured = next(
        (
            index
            for index, words in reversed(later)
            if _QUANTITY.search(words) and _CHANGE.search(words)
        ),
        None,
    )
    if measured is not None:
        return StoryReading(Verdict.COVERED, measured, measured, "gives a result with numbers")
    outcome = next((index for index, words in later if _OUTCOME.search(words)), None)
    if outcome is not None:
        return StoryReading(Verdict.PARTIAL, outcome, outcome, "says how it ended, without numbers")
    return None


def _lesson(said: list[tuple[int, str]]) -> StoryReading | None:
    found = [(index, words) for index, words in said[1:] if _LESSON.search(words)]
    if not found:
        return None
    full = next((index for index, words in found if len(words.split()) >= _LESSON_WORDS), None)
    if full is not None:
        return StoryReading(Verdict.COVERED, full, full, "says what they learned")
    return StoryReading(
        Verdict.PARTIAL, found[0][0], found[0][0], "names a lesson without saying it"
    )
