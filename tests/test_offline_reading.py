"""The offline grader reads meaning where words allow: plain speech, lists, repeats, versions."""

from __future__ import annotations

import pytest

from mockaws.grading import grade_answer
from mockaws.grading.offline import OfflineGrader
from mockaws.models import Level, Question, Rating, RedFlag, RubricPoint, Verdict
from tests.factories import mini_bank

GRADER = OfflineGrader()
SG = mini_bank().get("mini-sg-vs-nacl")


def question(points: list[RubricPoint], flags: list[RedFlag] | None = None) -> Question:
    return Question(
        id="inline-question",
        topic="misc",
        level=Level.MID,
        question="A question?",
        reference_answer="A reference answer.",
        rubric=points,
        red_flags=flags or [],
    )


def verdicts(q: Question, answer: str) -> dict[str, Verdict]:
    return {v.point_id: v.verdict for v in grade_answer(GRADER, q, answer).points}


LEAKED_KEY = question(
    [
        RubricPoint(
            id="deactivate",
            point="Deactivate the leaked key immediately.",
            weight=2,
            cues=["deactivate", "immediately"],
        ),
        RubricPoint(
            id="inbound",
            point="The database's security group must allow inbound traffic from the app.",
            weight=1,
            cues=["allow inbound", "database port"],
        ),
    ]
)


@pytest.mark.parametrize(
    ("answer", "point"),
    [
        ("First I'd disable the key right away.", "deactivate"),
        ("Switch off the key straight away.", "deactivate"),
        ("Its security group has to let in traffic on the database port.", "inbound"),
    ],
)
def test_plain_speech_covers_what_the_cues_say_in_textbook_words(answer: str, point: str) -> None:
    assert verdicts(LEAKED_KEY, answer)[point] is Verdict.COVERED


def test_a_keyword_list_is_never_above_weak_while_terse_notes_still_rate_well() -> None:
    keywords = (
        "Stateful, return traffic, ENI, instance level, stateless, ephemeral ports, subnet level, "
        "both directions, allow rules, deny rules, rule number, only allow."
    )
    listed = grade_answer(GRADER, SG, keywords)
    assert listed.rating in {Rating.WEAK, Rating.POOR}
    assert all(v.verdict is not Verdict.COVERED for v in listed.points)
    assert any("list of terms" in v.note for v in listed.points)
    terse = (
        "SG: stateful, return traffic allowed, per-ENI, only allow rules. "
        "NACL: stateless, per-subnet, ephemeral ports open in both directions, "
        "allow and deny rules by rule number."
    )
    assert grade_answer(GRADER, SG, terse).rating in {Rating.SOLID, Rating.STRONG}


def test_an_answer_pasted_five_times_gains_nothing() -> None:
    once = (
        "NACLs are stateless at the subnet level. "
        "Security groups are stateful, so return traffic is allowed."
    )
    for joiner in (" ", "\n\n"):
        graded_once, graded_five = (
            grade_answer(GRADER, SG, once),
            grade_answer(GRADER, SG, joiner.join([once] * 5)),
        )
        assert graded_five.score == graded_once.score
        assert graded_five.points == graded_once.points
        assert graded_five.confidence == graded_once.confidence


def test_another_generation_of_the_named_thing_does_not_cover_the_point() -> None:
    gp3 = question(
        [
            RubricPoint(
                id="gp3-default",
                point="gp3 is the default general purpose SSD.",
                weight=1,
                cues=["gp3", "general purpose SSD", "default"],
            )
        ]
    )
    grade = grade_answer(GRADER, gp3, "gp2 is the default general purpose SSD.")
    assert grade.points[0].verdict is Verdict.MISSED
    assert "names gp2" in grade.points[0].note
    assert verdicts(gp3, "gp3 is the default general purpose SSD.")["gp3-default"] is (
        Verdict.COVERED
    )
    assert (
        verdicts(gp3, "gp3 replaced gp2 as the default general purpose SSD.")["gp3-default"]
        is Verdict.COVERED
    )


def test_cues_on_either_side_of_a_contrast_are_not_one_idea() -> None:
    lambda_state = question(
        [
            RubricPoint(
                id="stateless",
                point="A Lambda function is stateless: its local disk is ephemeral.",
                weight=1,
                cues=["stateless", "ephemeral"],
            )
        ]
    )
    apart = "Lambda is stateless, whereas containers keep ephemeral disks."
    assert verdicts(lambda_state, apart)["stateless"] is Verdict.PARTIAL
    together = "Lambda is stateless and its disk is ephemeral."
    assert verdicts(lambda_state, together)["stateless"] is Verdict.COVERED


REPLICAS = question(
    [RubricPoint(id="async", point="Read replicas are asynchronous.", weight=1, cues=["async"])],
    [
        RedFlag(
            id="sync-replicas",
            flag="Says read replicas are synchronous.",
            cues=["read replicas are synchronous"],
        ),
        RedFlag(id="one-account", flag="One account for everything.", cues=["one account for all"]),
    ],
)


@pytest.mark.parametrize(
    ("answer", "fired"),
    [
        ("Read replicas get every write synchronously.", ["sync-replicas"]),
        ("Synchronous writes reach each read replica.", ["sync-replicas"]),
        ("Read replicas do not get writes synchronously.", []),
        ("Read replicas are asynchronous, unlike Multi-AZ which is synchronous.", []),
        ("I've seen one account for all workloads, and it was a mess.", []),
    ],
)
def test_misconceptions_worded_freely(answer: str, fired: list[str]) -> None:
    assert [h.flag_id for h in grade_answer(GRADER, REPLICAS, answer).red_flags_hit] == fired


def flag_fires(cue: str, answer: str) -> bool:
    q = question(
        [RubricPoint(id="unrelated", point="Something else.", weight=1, cues=["zzzz"])],
        [RedFlag(id="the-flag", flag="States the misconception.", cues=[cue])],
    )
    return bool(grade_answer(GRADER, q, answer).red_flags_hit)


@pytest.mark.parametrize(
    ("answer", "fires"),
    [
        ("I think traffic between AZs doesn't cost anything.", True),
        ("Traffic between availability zones never costs anything.", True),
        ("Traffic between availability zones costs nothing.", True),
        ("It's not true that traffic between AZs doesn't cost anything.", False),
        ("Traffic between AZs doesn't cost anything, but it does.", False),
        ("Traffic between availability zones isn't free.", False),
        ("Traffic inside one AZ doesn't cost anything, but traffic between AZs does.", False),
    ],
)
def test_a_red_flag_cue_may_state_a_denial(answer: str, fires: bool) -> None:
    assert flag_fires("traffic between availability zones doesn't cost anything", answer) is fires


def test_saying_it_costs_nothing_is_saying_it_is_free() -> None:
    assert flag_fires("blue/green is free", "Blue/green deployments don't cost anything extra.")
    assert flag_fires(
        "versions cost nothing extra", "Noncurrent versions never cost anything extra."
    )
    assert not flag_fires("blue/green is free", "Blue/green is not free: two fleets run.")


@pytest.mark.parametrize(
    ("cue", "answer"),
    [
        ("S3 is eventually consistent", "S3 used to be eventually consistent."),
        ("S3 is eventually consistent", "In 2019, S3 was eventually consistent."),
        ("only idle Elastic IPs are charged", "Before 2024 only idle Elastic IPs were charged."),
        (
            "anyone can push over the same tag",
            "Tags are immutable, so nobody can push over the same tag.",
        ),
        ("inter-AZ traffic is free", "A lot of people assume inter-AZ traffic is free."),
        ("NACLs are stateful", "NACLs are stateful, but they aren't."),
    ],
)
def test_history_beliefs_of_others_and_taken_back_claims_are_not_asserted(
    cue: str, answer: str
) -> None:
    assert not flag_fires(cue, answer)
    assert flag_fires(cue, f"I think {cue}.")


def test_used_to_as_employed_for_still_asserts() -> None:
    assert flag_fires("S3 is used to run databases", "S3 is used to run databases.")


@pytest.mark.parametrize(
    ("answer", "fires"),
    [
        (
            "Express is just the faster, cheaper Standard; it also runs each step exactly once.",
            True,
        ),
        ("Express is cheaper. It runs each step exactly once.", True),
        ("Blue/green is the safest and it doesn't cost anything extra.", False),
        ("Express is cheaper. It never runs each step exactly once.", False),
        (
            "Standard runs each step exactly once. Express is cheaper, and it is at least once.",
            False,
        ),
    ],
)
def test_a_pronoun_stands_for_what_was_just_named(answer: str, fires: bool) -> None:
    assert flag_fires("Express runs each step exactly once", answer) is fires


def test_a_pronoun_carries_a_free_claim() -> None:
    assert flag_fires("blue/green is free", "Blue/green is safest, and it doesn't cost anything.")


def test_compound_terms_do_not_make_a_keyword_list_prose() -> None:
    upgrades = question(
        [
            RubricPoint(
                id="order",
                point="Upgrade the control plane, then the add-ons, then the node groups.",
                weight=2,
                cues=["control plane", "add-ons", "node groups"],
            ),
            RubricPoint(
                id="safety",
                point="PodDisruptionBudgets and a staging run keep it safe.",
                weight=1,
                cues=["PDB", "staging"],
            ),
        ]
    )
    listed = "control plane, add-ons, node groups, deprecated APIs, PDB, staging, extended support"
    assert all(v is not Verdict.COVERED for v in verdicts(upgrades, listed).values())
    # a joining word inside a compound relates its parts: terse notes still make claims
    terse = (
        "Upgrade: control plane first, then add-ons, then node groups; PDBs via staging-to-prod."
    )
    assert verdicts(upgrades, terse)["order"] is Verdict.COVERED


def test_an_age_word_that_names_the_subject_does_not_report_the_claim() -> None:
    assert flag_fires("versions cost nothing extra", "Old versions don't cost anything extra.")
    assert not flag_fires(
        "S3 is eventually consistent", "S3 is eventually consistent, which is the old model."
    )
    assert not flag_fires(
        "S3 is eventually consistent",
        "S3 changed. It used to be, like, eventually consistent, but not since 2020.",
    )


def test_a_pronoun_stands_for_its_own_sentence_subject_first() -> None:
    answer = (
        "A security group is a stateful firewall on the ENI. "
        "A network ACL sits at the subnet level and it's stateless."
    )
    assert not flag_fires("security groups are stateless", answer)
    assert flag_fires("network ACLs are stateful", "A network ACL is simple, and it's stateful.")


SCAN = question(
    [
        RubricPoint(
            id="scan-cost",
            point="A Scan reads every item and consumes the table's read capacity.",
            weight=2,
            cues=["full table scan", "consumes read capacity"],
        )
    ]
)


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        # The point in words no cue has: most of its own terms, said together.
        (
            "The scan goes through each item of the table and uses up read capacity.",
            Verdict.COVERED,
        ),
        (
            "The problem is Scan is read all items of table, it use the same read capacity.",
            Verdict.COVERED,
        ),
        # The same terms either side of a contrast are two things, not the point.
        (
            "A scan touches every item, whereas queries use the table's read capacity well.",
            Verdict.MISSED,
        ),
        # Named in a list of terms, nothing is said about them.
        ("Scan, item, table, read capacity, consumed.", Verdict.MISSED),
        # Two terms are a topic named, not a point made.
        ("Every scan is slow.", Verdict.MISSED),
    ],
)
def test_a_point_said_in_other_words_is_covered(answer: str, expected: Verdict) -> None:
    assert verdicts(SCAN, answer)["scan-cost"] is expected


def test_words_the_question_already_says_do_not_make_the_point() -> None:
    asked = SCAN.model_copy(update={"question": "How does a DynamoDB Scan use read capacity?"})
    answer = "A scan reads each item and uses up the table's read capacity."
    assert verdicts(asked, answer)["scan-cost"] is Verdict.MISSED
    assert verdicts(SCAN, answer)["scan-cost"] is Verdict.COVERED


def test_a_sentence_stating_a_red_flag_says_no_point_in_other_words() -> None:
    flagged = question(
        SCAN.rubric,
        [
            RedFlag(
                id="scan-free",
                flag="Thinks a Scan costs no read capacity.",
                cues=["scan is free"],
            )
        ],
    )
    answer = "Every scan is free, it reads each item of the table without read capacity."
    grade = grade_answer(GRADER, flagged, answer)
    assert [hit.flag_id for hit in grade.red_flags_hit] == ["scan-free"]
    assert grade.points[0].verdict is Verdict.MISSED


def one_flag(cue: str) -> Question:
    """A question whose one red flag has the one cue `cue`."""
    return question(
        [RubricPoint(id="point", point="Something true.", weight=1, cues=["something true"])],
        [RedFlag(id="flag", flag="A misconception.", cues=[cue])],
    )


def fires(q: Question, answer: str) -> bool:
    return [hit.flag_id for hit in grade_answer(GRADER, q, answer).red_flags_hit] == ["flag"]


def test_a_cue_that_denies_fires_on_its_denial_said_loosely() -> None:
    llms = one_flag("SageMaker can't run large language models")
    assert fires(llms, "You can't really run large language models on SageMaker, they are too big.")
    assert not fires(llms, "You can run large language models on SageMaker.")


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("You could bump max_connections, but that's just kicking the can down the road.", False),
        ("I'd bump max_connections and move on.", True),
        ("You could bump max_connections and the errors stop.", True),
        # "you'd" gives advice; "you'd think" reports a belief.
        ("You'd bump max_connections and move on.", True),
        ("You'd think you can just bump max_connections.", False),
    ],
)
def test_an_option_offered_then_set_aside_is_not_the_plan(answer: str, expected: bool) -> None:
    assert fires(one_flag("bump max_connections"), answer) is expected


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("If something goes wrong you can replay the records from Firehose.", True),
        ("The idea that you replay the records from Firehose is wrong.", False),
    ],
)
def test_something_going_wrong_is_not_the_claim_called_wrong(answer: str, expected: bool) -> None:
    assert fires(one_flag("replay the records from Firehose"), answer) is expected


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("For sessions the cache is the source of truth, so we skip the database.", True),
        ("We keep the source of truth in the cache and skip the database.", True),
        # The words on either side of "and the" are two claims, not this one.
        ("The database stays the source of truth and the cache can always be rebuilt.", False),
    ],
)
def test_a_claim_read_in_any_order_does_not_reach_across_a_new_clause(
    answer: str, expected: bool
) -> None:
    assert fires(one_flag("the cache is the source of truth"), answer) is expected


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("I'd connect the VPCs with a full mesh of peering.", True),
        ("At eighty VPCs a full mesh of peering is out: thousands of connections.", False),
        ("A full mesh of peering is off the table at this size.", False),
    ],
)
def test_a_claim_ruled_out_right_after_it_is_not_the_plan(answer: str, expected: bool) -> None:
    assert fires(one_flag("full mesh of peering"), answer) is expected


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("When it blocks too much, turn the guardrail off.", True),
        ("For now I would turn the guardrail off.", True),
        ("You can tune a guardrail rather than turning it off.", False),
    ],
)
def test_a_claim_read_across_rather_than_is_denied(answer: str, expected: bool) -> None:
    assert fires(one_flag("turn the guardrail off"), answer) is expected


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("Auto Scaling will catch up with any spike.", True),
        ("Auto Scaling will catch up eventually, but not in the seconds that matter.", False),
    ],
)
def test_a_claim_limited_by_but_not_is_not_made(answer: str, expected: bool) -> None:
    assert fires(one_flag("auto scaling will catch up"), answer) is expected


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("Two things I wouldn't do: assume the judge is objective, or skip labelling.", False),
        ("The nice thing is you don't need labelling at all: the judge is objective.", True),
        ("Honestly I wouldn't bother with a review: the judge is objective.", True),
    ],
)
def test_only_a_refusal_right_before_a_colon_refuses_what_follows(
    answer: str, expected: bool
) -> None:
    assert fires(one_flag("the judge is objective"), answer) is expected


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("Setting temperature to zero stops hallucinations.", True),
        ("My plan: temperature zero stops hallucinations, so set it.", True),
        ("A common belief is that setting temperature to zero stops hallucinations.", False),
        ("Another myth: that temperature zero stops hallucinations.", False),
        ("It's often said that temperature zero stops hallucinations.", False),
        ("Older guides suggest temperature zero stops hallucinations.", False),
        (
            "It's tempting to think temperature zero stops hallucinations, but it is only"
            " repeatable.",
            False,
        ),
        ("Another is assuming temperature zero stops hallucinations.", False),
        ("Another one is that temperature zero stops hallucinations.", False),
        ("A common answer is 'temperature zero stops hallucinations', and it is wrong.", False),
        ("The easy answer, temperature zero stops hallucinations, is wrong.", False),
        ("My first answer is that temperature zero stops hallucinations.", True),
        # Told as a denial in the very next clause.
        (
            "Temperature zero stops hallucinations; it doesn't, it only makes output repeatable.",
            False,
        ),
    ],
)
def test_a_claim_named_as_a_myth_or_denied_at_once_is_not_made(answer: str, expected: bool) -> None:
    assert fires(one_flag("temperature zero stops hallucinations"), answer) is expected


@pytest.mark.parametrize(
    "answer",
    [
        # The candidate's own instinct or assumption is their plan, not a myth they name.
        "My instinct is to parallelise the loop with a thread pool.",
        "The assumption I make is that we parallelise the loop.",
    ],
)
def test_the_candidates_own_instinct_is_still_their_claim(answer: str) -> None:
    assert fires(one_flag("parallelise the loop"), answer) is True


@pytest.mark.parametrize(
    ("cue", "answer", "expected"),
    [
        ("separate environments with tags", "We separate environments with tags.", True),
        (
            "separate environments with tags",
            "People sometimes separate environments with tags, but accounts are the boundary.",
            False,
        ),
        ("SCP grants permissions", "An SCP grants permissions to the account.", True),
        (
            "SCP grants permissions",
            "An SCP grants permissions; it can't, it sets a maximum.",
            False,
        ),
        ("SCP grants", "Another is that an SCP grants access to S3; it doesn't.", False),
    ],
)
def test_what_others_do_or_a_claim_denied_at_once_is_not_the_answers(
    cue: str, answer: str, expected: bool
) -> None:
    assert fires(one_flag(cue), answer) is expected


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("We upload through the servers so we can check each file.", True),
        ("We upload through the servers, but that means more instances.", True),
        ("Some designs upload through the servers, but that isn't necessary.", False),
        ("You could upload through the servers, but that's just expensive.", False),
    ],
)
def test_a_claim_judged_bad_in_the_same_breath_is_not_the_plan(answer: str, expected: bool) -> None:
    assert fires(one_flag("upload through the servers"), answer) is expected
