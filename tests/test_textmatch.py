from __future__ import annotations

import pytest

from mockaws.grading.textmatch import (
    clauses,
    find_cue,
    find_loose,
    is_bare_list,
    sentences,
    tokenize,
)


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


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("One thing. Two things; three four", ["One thing.", "Two things; three four"]),
        # a hard-wrapped sentence is one sentence; a blank line ends one
        ("S3 is strongly\nconsistent.\n\nNew idea", ["S3 is strongly\nconsistent.", "New idea"]),
        ("Use a cache, e.g. DAX. Done!", ["Use a cache, e.g. DAX.", "Done!"]),
        ("Two kinds:\n- stateful\n- stateless", ["Two kinds:", "- stateful", "- stateless"]),
        ("  ", []),
    ],
)
def test_sentences(text: str, expected: list[str]) -> None:
    assert [text[s.start : s.end] for s in sentences(text)] == expected


def test_clauses_split_at_punctuation_and_contrast() -> None:
    text = "NACLs are stateful, not stateless; but SGs (on the ENI) are stateful"
    [sentence] = sentences(text)
    assert [text[c.start : c.end].strip() for c in clauses(text, sentence)] == [
        "NACLs are stateful",
        "not stateless",
        "SGs",
        "on the ENI",
        "are stateful",
    ]


@pytest.mark.parametrize(
    ("text", "forms"),
    [
        # a negated word with an opposite reads as the opposite, spanning the negation
        ("SGs are not stateless", ["sg", "are", "stateful"]),
        ("NACLs aren't really stateful", ["nacl", "stateless"]),
        ("S3 is no longer eventually consistent", ["s3", "is", "strong", "consist"]),
        # "not only" denies nothing
        ("not only stateful", ["not", "onli", "stateful"]),
    ],
)
def test_negated_opposites_are_flipped(text: str, forms: list[str]) -> None:
    assert [t.form for t in tokenize(text)] == forms


def test_negated_words_are_marked_and_cues_know_it() -> None:
    tokens = tokenize("S3 does not lock objects")
    assert [t.negated_by for t in tokens] == [None, None, None, 2, None]
    [match] = find_cue(tokens, "lock")
    assert match.negated
    # a cue that says the negation itself is not denied by it
    [match] = find_cue(tokenize("errors are not retried by Lambda"), "not retried by Lambda")
    assert not match.negated
    stateful = find_cue(tokenize("security groups are not stateless"), "stateful")
    assert stateful and not stateful[0].negated


@pytest.mark.parametrize(
    ("text", "bare"),
    [
        ("stateful, stateless, ENI, subnet, ephemeral ports, deny rules.", True),
        ("stateful stateless ENI subnet ephemeral ports deny rules", True),
        ("Security groups, NACLs, stateful and stateless, ENI or subnet", True),
        ("SGs are stateful at the ENI, NACLs stateless per subnet.", False),
        ("SG stateful, ENI-level, allow-only.", False),
        ("NACLs: stateless, so open ephemeral ports for the return traffic, deny rules.", False),
        ("Stateful.", False),
        # an address or a hyphenated term is one term, not a phrase
        (
            "Route table, 0.0.0.0/0, internet gateway, egress-only internet gateway, public IP.",
            True,
        ),
    ],
)
def test_bare_lists_of_terms(text: str, bare: bool) -> None:
    [sentence] = sentences(text)
    assert is_bare_list(text, sentence) is bare


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


@pytest.mark.parametrize(
    ("cue", "text", "found"),
    [
        # the cue's words in order, a few apart, in one clause
        (
            "overwrites are eventually consistent",
            "overwrites and deletes are eventually consistent",
            True,
        ),
        (
            "the IGW is attached to the public subnet",
            "the internet gateway is attached to a public subnet",
            True,
        ),
        ("use status as the partition key", "I'd use the order status as the partition key", True),
        # a negation inside the span denies the claim
        ("IMDSv1 is fine", "IMDSv1 is not fine", False),
        # words in another clause, too far apart, or out of order are not the claim
        ("NACLs are stateful", "security groups are stateful, NACLs are stateless", False),
        (
            "an AZ is a Region",
            "each AZ has its own power, linked to the other AZs in the Region",
            False,
        ),
        ("peering is transitive", "transitive routing is not what peering gives you", False),
        ("SGs are stateless", "Security groups are stateful. NACLs are stateless.", False),
        ("SGs are stateless", "SGs are stateful and NACLs stateless", False),
        ("SGs are stateless", "SGs are mostly used and NACLs are stateless", False),
        # a one-word claim is only matched exactly
        ("stateful", "stateful", False),
    ],
)
def test_loose_matches_of_claims(cue: str, text: str, found: bool) -> None:
    assert bool(find_loose(text, tokenize(text), cue)) is found


@pytest.mark.parametrize(
    ("text", "same_as"),
    [
        ("replication is async", "replication is asynchronous"),
        ("temporary creds", "temporary credentials"),
        ("an IGW", "an internet gateway"),
        ("for HA", "for high availability"),
        ("NATGW only covers v4", "NAT gateway only covers IPv4"),
        ("::/0 to the EIGW", "::/0 to the egress-only internet gateway"),
        ("PITR on the table", "point-in-time recovery on the table"),
        ("SPs cover Lambda", "Savings Plans cover Lambda"),
    ],
)
def test_spoken_short_forms_read_as_the_long_words(text: str, same_as: str) -> None:
    assert [t.form for t in tokenize(text)] == [t.form for t in tokenize(same_as)]


def test_an_egress_only_gateway_is_not_an_internet_gateway() -> None:
    # "Route ::/0 to the IGW" is a red flag on private subnets; the egress-only gateway is the fix.
    assert (
        find_cue(tokenize("route ::/0 to an egress-only internet gateway"), "internet gateway")
        == []
    )
    assert find_cue(tokenize("route ::/0 to the internet gateway"), "internet gateway") != []
