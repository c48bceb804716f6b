"""Delivery notes: observable facts about an answer said aloud."""

from __future__ import annotations

import pytest

from mockaws.bank import load_bank
from mockaws.delivery import analyse, combine, expected_services, pace, services_in
from tests.conftest import DATA, MINI_BANK

BANK = load_bank([MINI_BANK, DATA / "extra_bank.toml"], include_shipped=False).questions


@pytest.mark.parametrize(
    ("answer", "fillers"),
    [
        ("", {}),
        ("Um, S3 is object storage. Uh, and it's durable.", {"um": 1, "uh": 1}),
        ("Umm... erm, hmm.", {"umm": 1, "erm": 1, "hmm": 1}),
        # A filler inside a longer word is not a filler.
        ("It is likely that the alike objects are unlikely to be umbrella terms.", {}),
        ("Summary: the actuality is basic, not basically anything.", {"basically": 1}),
        (
            "Basically it's actually, literally, a queue.",
            {"basically": 1, "actually": 1, "literally": 1},
        ),
        # "like" as a filler, and "like" meaning "such as" or "similar to".
        ("So like, you have a queue.", {"like": 1}),
        ("You have, like, a queue.", {"like": 1}),
        ("and like um a queue", {"like": 1, "um": 1}),
        ("Services like S3 and SQS scale. It works like a queue. I'd like to add caching.", {}),
        # "kind of" / "sort of" as hedging fillers, but not as nouns.
        ("It's kind of slow and sort of expensive.", {"kind of": 1, "sort of": 1}),
        ("What kind of database? A sort of key-value store, this kind of thing.", {}),
        # "you know" as a filler, but not as the verb with an object.
        ("It's, you know, eventually consistent, you know.", {"you know": 2}),
        ("Do you know the key? If you know what the partition is, you know the cost.", {}),
        ("I mean, it scales. That is what I mean by elastic.", {"I mean": 1}),
        ("UM, LIKE, it BASICALLY works", {"um": 1, "like": 1, "basically": 1}),
    ],
)
def test_fillers(answer: str, fillers: dict[str, int]) -> None:
    assert analyse(answer).fillers == fillers


@pytest.mark.parametrize(
    ("answer", "hedges"),
    [
        ("S3 is strongly consistent.", {}),
        ("I think S3 is probably consistent, maybe.", {"I think": 1, "probably": 1, "maybe": 1}),
        (
            "I'm not sure, but I believe so. I'm not 100% sure.",
            {"not sure": 1, "I believe": 1, "not 100 sure": 1},
        ),
        (
            "If I remember correctly it was 2020, I guess.",
            {"if I remember correctly": 1, "I guess": 1},
        ),
        ("Thinking it through, maybelline is not a hedge.", {}),
    ],
)
def test_hedges(answer: str, hedges: dict[str, int]) -> None:
    assert analyse(answer).hedges == hedges


@pytest.mark.parametrize(
    ("words", "seconds", "where"),
    [
        (0, 0.0, "under"),
        (70, 30.0, "under"),
        (140, 60.0, "within"),
        (280, 120.0, "within"),
        (350, 150.0, "over"),
    ],
)
def test_speaking_time_at_140_words_a_minute(words: int, seconds: float, where: str) -> None:
    delivery = analyse(" ".join(["word"] * words))
    assert delivery.words == words
    assert delivery.speaking_seconds == seconds
    assert pace(delivery.speaking_seconds) == where


def test_words_count_contractions_and_service_names_once() -> None:
    assert analyse("Don't put S3 keys in EC2 user-data.").words == 8


def test_repeated_words_are_content_words_said_three_times_or_more() -> None:
    answer = (
        "The cache helps. The cache is fast, the cache is warm, and the cache is cheap. "
        "Latency drops, latency matters, latency is key. Throughput throughput."
    )
    assert analyse(answer).repeated == {"cache": 4, "latency": 3}


@pytest.mark.parametrize(
    ("text", "services"),
    [
        ("Put it in S3 behind CloudFront.", ["S3", "CloudFront"]),
        (
            "An ALB in front of an Auto Scaling group, with Route 53 and route53.",
            ["ELB", "Auto Scaling", "Route 53"],
        ),
        ("Use dynamo or DynamoDB Streams with lambda functions.", ["DynamoDB", "Lambda"]),
        ("The config file and the glue code; a batch job.", []),
        ("AWS Config rules and AWS Glue crawlers.", ["AWS Config", "AWS Glue"]),
        ("S3 Glacier Deep Archive.", ["S3", "Glacier"]),
        ("Plain words: lambdas? no, Lambdas.", ["Lambda"]),
        ("ecs2 and s33 are not services", []),
    ],
)
def test_services_named(text: str, services: list[str]) -> None:
    assert services_in(text) == services


def test_services_expected_come_from_the_rubric() -> None:
    assert expected_services(BANK["mini-s3-consistency"]) == ["S3"]
    assert expected_services(BANK["extra-lambda-cold-start"]) == []
    question = BANK["mini-sg-vs-nacl"].model_copy(
        update={
            "rubric": [
                BANK["mini-sg-vs-nacl"]
                .rubric[0]
                .model_copy(update={"point": "Security groups attach to EC2 ENIs in a VPC."})
            ]
        }
    )
    delivery = analyse("EC2 instances have security groups.", question)
    assert delivery.services_expected == ["EC2", "VPC"]
    assert delivery.services_named == ["EC2"]
    assert delivery.services_not_named == ["VPC"]


def test_combine_sums_a_session() -> None:
    first = analyse("Um, S3 is, like, durable. I think.")
    second = analyse("Um, SQS decouples. Basically.")
    total = combine([first, second])
    assert total.words == first.words + second.words
    assert total.fillers == {"um": 2, "like": 1, "basically": 1}
    assert total.hedges == {"I think": 1}
    assert total.services_named == ["S3", "SQS"]
    assert combine([]).words == 0
