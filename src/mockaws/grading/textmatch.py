"""Tolerant phrase matching: case, punctuation, inflection and common AWS abbreviations.

Both the answer and each cue are reduced to the same token form (lower case, stemmed, with
multi-word names folded into their abbreviation), so "Security Groups" in an answer meets the
cue "SG", and "caching" meets "cache". Every token keeps its character span in the original
text, so a match can be quoted back exactly as the user wrote it.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

import snowballstemmer

_WORD = re.compile(r"[A-Za-z0-9]+(?:'[A-Za-z]+)?")
_PLURAL_ACRONYM = re.compile(r"^[A-Z0-9]{2,}s$")
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\n+")

# Words the stemmer would fold into a different idea ("stateful" -> "state").
_UNSTEMMED = frozenset(
    {"stateful", "stateless", "serverless", "lambda", "aws", "data", "likely", "unlikely"}
)

# Multi-word names folded into one canonical token; each synonym is written as a user would.
ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "sg": ("security group",),
    "nacl": ("network acl", "network access control list", "network access control lists"),
    "acl": ("access control list",),
    "asg": ("auto scaling group", "autoscaling group", "auto-scaling group"),
    "autoscaling": ("auto scaling", "auto-scaling"),
    "iam": ("identity and access management",),
    "alb": ("application load balancer",),
    "nlb": ("network load balancer",),
    "gwlb": ("gateway load balancer", "glb"),
    "clb": ("classic load balancer",),
    "elb": ("elastic load balancing", "elastic load balancer"),
    "ec2": ("elastic compute cloud",),
    "s3": ("simple storage service",),
    "ebs": ("elastic block store", "elastic block storage"),
    "efs": ("elastic file system",),
    "rds": ("relational database service",),
    "sqs": ("simple queue service",),
    "sns": ("simple notification service",),
    "ses": ("simple email service",),
    "kms": ("key management service",),
    "vpc": ("virtual private cloud",),
    "ecs": ("elastic container service",),
    "eks": ("elastic kubernetes service",),
    "ecr": ("elastic container registry",),
    "dlq": ("dead letter queue", "dead-letter queue", "deadletter queue"),
    "az": ("availability zone",),
    "ami": ("amazon machine image", "machine image"),
    "cdn": ("content delivery network",),
    "mfa": ("multi factor authentication", "multi-factor authentication", "2fa"),
    "acm": ("certificate manager",),
    "waf": ("web application firewall",),
    "tgw": ("transit gateway",),
    "ri": ("reserved instance",),
    "ttl": ("time to live",),
    "rpo": ("recovery point objective",),
    "rto": ("recovery time objective",),
    "imds": ("instance metadata service",),
    "scp": ("service control policy",),
    "rcp": ("resource control policy",),
    "iac": ("infrastructure as code",),
    "k8s": ("kubernetes",),
    "cicd": ("ci cd", "ci/cd", "continuous integration and continuous delivery"),
    "sso": ("single sign on", "single sign-on"),
    "otel": ("opentelemetry", "open telemetry"),
    "cfn": ("cloudformation", "cloud formation"),
    "ddb": ("dynamodb", "dynamo db", "dynamo"),
    "apigw": ("api gateway",),
    "sfn": ("step functions", "step function"),
    "cw": ("cloudwatch", "cloud watch"),
}


@dataclass(frozen=True)
class Token:
    form: str  # normalised form compared in matches
    start: int  # character span in the original text
    end: int


_local = threading.local()


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    # A snowball stemmer keeps the word being stemmed on itself, so threads (concurrent grading)
    # must not share one.
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        stemmer = _local.stemmer = snowballstemmer.stemmer("english")
    return str(stemmer.stemWord(word))


def _normal_form(word: str) -> str:
    if _PLURAL_ACRONYM.match(word):
        return word[:-1].lower()
    lower = word.lower()
    if lower.endswith("'s"):
        lower = lower[:-2]
    if lower in _UNSTEMMED or lower.isdigit():
        return lower
    return _stem(lower)


def _raw_tokens(text: str) -> list[Token]:
    return [Token(_normal_form(m.group()), m.start(), m.end()) for m in _WORD.finditer(text)]


@cache
def _phrase_table() -> tuple[tuple[tuple[str, ...], str], ...]:
    """Synonym phrases as normalised token tuples, longest first, with their canonical token."""
    table: list[tuple[tuple[str, ...], str]] = []
    for canonical, phrases in ABBREVIATIONS.items():
        for phrase in phrases:
            forms = tuple(t.form for t in _raw_tokens(phrase))
            if forms and forms != (canonical,):
                table.append((forms, canonical))
    table.sort(key=lambda item: -len(item[0]))
    return tuple(table)


def tokenize(text: str) -> list[Token]:
    """Normalised tokens of `text`, with synonym phrases folded into their abbreviation."""
    raw = _raw_tokens(text)
    table = _phrase_table()
    folded: list[Token] = []
    i = 0
    while i < len(raw):
        for forms, canonical in table:
            n = len(forms)
            if tuple(t.form for t in raw[i : i + n]) == forms:
                folded.append(Token(canonical, raw[i].start, raw[i + n - 1].end))
                i += n
                break
        else:
            folded.append(raw[i])
            i += 1
    return folded


@cache
def cue_forms(cue: str) -> tuple[str, ...]:
    """A cue in normalised form, ready to look for in an answer's tokens."""
    return tuple(t.form for t in tokenize(cue))


@dataclass(frozen=True)
class Match:
    cue: str
    start: int
    end: int
    first_token: int  # index in the answer's token list


def find_cue(tokens: Sequence[Token], cue: str) -> list[Match]:
    """Every place the cue occurs in the tokens, as spans of the original text."""
    forms = cue_forms(cue)
    n = len(forms)
    if n == 0:
        return []
    return [
        Match(cue, tokens[i].start, tokens[i + n - 1].end, i)
        for i in range(len(tokens) - n + 1)
        if tokens[i].form == forms[0] and all(tokens[i + k].form == forms[k] for k in range(1, n))
    ]


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int


def sentences(text: str) -> list[Sentence]:
    """Sentence spans of `text` (split at . ! ? ; and line breaks), trimmed of white space."""
    spans: list[Sentence] = []
    position = 0
    for boundary in [*_SENTENCE_END.finditer(text), None]:
        end = boundary.start() if boundary else len(text)
        chunk = text[position:end]
        stripped_start = position + (len(chunk) - len(chunk.lstrip()))
        stripped_end = position + len(chunk.rstrip())
        if stripped_end > stripped_start:
            spans.append(Sentence(stripped_start, stripped_end))
        if boundary:
            position = boundary.end()
    return spans


def sentence_of(spans: Sequence[Sentence], offset: int) -> Sentence:
    """The sentence holding character `offset`."""
    for span in spans:
        if span.start <= offset < span.end:
            return span
    return spans[-1]
