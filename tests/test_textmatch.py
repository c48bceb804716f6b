from __future__ import annotations

import pytest

from mockaws.grading.textmatch import find_cue, sentences, tokenize


@pytest.mark.parametrize(
    ("cue", "text"),
    [
        ("cache", "We were Caching the results."),
        ("security group", "Attach SGs to the instance."),
        ("SG", "security groups are stateful"),
        ("NACL", "a Network ACL at the subnet"),
        ("auto scaling group", "the ASG replaces it"),
        ("ASG", "an Auto-Scaling Group"),
        ("dead-letter queue", "send it to a DLQ"),
        ("read-after-write", "read after write consistency"),
        ("IAM role", "an Identity and Access Management role"),
        ("multi-AZ", "a Multi AZ deployment"),
        ("availability zones", "spread over AZs"),
    ],
)
def test_cues_match_tolerantly(cue: str, text: str) -> None:
    assert find_cue(tokenize(text), cue)


@pytest.mark.parametrize(
    ("cue", "text"),
    [
        ("stateful", "NACLs are stateless"),
        ("stateless", "security groups are stateful"),
        ("like", "it is likely to fail"),
        ("s3", "S3s3"),
    ],
)
def test_cues_do_not_match_other_words(cue: str, text: str) -> None:
    assert not find_cue(tokenize(text), cue)


def test_matches_quote_the_original_text() -> None:
    text = "Put Security   Groups first."
    match = find_cue(tokenize(text), "SG")[0]
    assert text[match.start : match.end] == "Security   Groups"


def test_sentences_split_on_punctuation_and_lines() -> None:
    text = "One thing. Two things; three\nfour"
    assert [text[s.start : s.end] for s in sentences(text)] == [
        "One thing.",
        "Two things;",
        "three",
        "four",
    ]


def test_tokenizing_from_many_threads_gives_the_same_tokens() -> None:
    from concurrent.futures import ThreadPoolExecutor

    from mockaws.grading import textmatch

    words = [
        "replicating",
        "asynchronously",
        "regionally",
        "converging",
        "operationally",
        "resiliently",
    ]
    texts = [
        " ".join(f"{w}{chr(97 + i % 26)}{chr(97 + i // 26)}ing" for w in words) for i in range(400)
    ]
    expected = [tokenize(text) for text in texts]
    textmatch._stem.cache_clear()  # make every thread stem afresh
    with ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(tokenize, texts)) == expected
