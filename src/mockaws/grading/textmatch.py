"""Tolerant phrase matching: case, punctuation, inflection and common AWS abbreviations.

Both the answer and each cue are reduced to the same token form (lower case, stemmed, with
multi-word names folded into their abbreviation), so "Security Groups" in an answer meets the
cue "SG", and "caching" meets "cache". Every token keeps its character span in the original
text, so a match can be quoted back exactly as the user wrote it.

Polarity is resolved while tokenizing: a negated word with an opposite becomes that opposite
("not stateless" reads as "stateful"), and any other negated word is marked, so a cue it starts
is known to be denied rather than said ("S3 is not eventually consistent").
"""

from __future__ import annotations

import bisect
import math
import re
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

import snowballstemmer

_WORD = re.compile(r"[A-Za-z0-9]+(?:'[A-Za-z]+)?")
_PLURAL_ACRONYM = re.compile(r"^[A-Z0-9]{2,}s$")
# A sentence ends at . ! or ? before white space (not after "e.g." and the like), at a blank
# line, or before a line that starts a list item. A single line break is not an end: reference
# answers and pasted text are hard-wrapped mid-sentence.
_SENTENCE_END = re.compile(
    r"(?<!\be\.g\.)(?<!\bi\.e\.)(?<!\bvs\.)(?<!\betc\.)(?<!\bcf\.)(?<=[.!?])\s+"
    r"|\n\s*\n\s*|\n(?=\s*(?:[-*•]|\d+[.)])\s)",
    re.IGNORECASE,
)
# Clause boundaries inside a sentence: punctuation and words that start a contrast.
_CLAUSE_BREAK = re.compile(
    r"[,;:()\u2013\u2014]|\s-\s|\b(?:but|whereas|while|although|though|however|unlike|"
    r"yet|except)\b",
    re.IGNORECASE,
)

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
    "igw": ("internet gateway",),
    "ha": ("high availability", "highly available"),
    "dr": ("disaster recovery",),
    "ml": ("machine learning",),
    "llm": ("large language model",),
    "db": ("database",),
    "natgw": ("nat gateway", "nat gw"),
    "eigw": (
        "egress-only internet gateway",
        "egress only internet gateway",
        "egress-only gateway",
        "egress only gateway",
        "egress-only igw",
    ),
    "ipv6": ("v6",),
    "ipv4": ("v4",),
    "kds": ("kinesis data streams", "kinesis data stream"),
    "pitr": ("point-in-time recovery", "point in time recovery"),
    "tg": ("target group",),
    "ou": ("organizational unit", "organisational unit"),
    "env": ("environment",),
    "perm": ("permission",),
    "msg": ("message",),
    "xray": ("x-ray", "x ray"),
    "sp": ("savings plan",),
    "lb": ("load balancer",),
    "acct": ("account",),
    # Spoken short forms: "async", "creds", "infra" say the same as the long word.
    "async": ("asynchronous", "asynchronously", "in the background"),
    "sync": ("synchronous", "synchronously", "in lockstep"),
    "credenti": ("creds", "cred"),
    "infrastructur": ("infra",),
    "configur": ("config",),
}


# Plain speech for what cues say in textbook words: each phrase on the right reads as the one on
# the left, and the left one as itself ("disable the key right away" says "deactivate" and
# "immediately"). Only paraphrases that keep the meaning in any AWS context belong here.
PARAPHRASES: dict[str, tuple[str, ...]] = {
    "immediately": ("right away", "straight away", "at once", "instantly"),
    "deactivate": ("disable", "turn off", "switch off"),
    "enable": ("turn on", "switch on"),
    "automatically": ("by itself", "on its own", "by themselves", "on their own"),
    "allow inbound": ("let in",),
    "inbound": ("incoming",),
    "outbound": ("outgoing",),
    "cheaper": ("costs less", "cost less", "less expensive", "lower cost"),
    "lower latency": ("less latency", "faster responses"),
    "memory": ("RAM",),
    "failover": ("fail over", "fails over", "switch over", "switches over"),
    "scale to zero": (
        "scales to zero",
        "scale down to zero",
        "scales down to zero",
        "drops to nothing",
        "drop to nothing",
        "scales down to nothing",
    ),
    "temporary": ("short-lived", "short lived"),
    "uneven": ("unbalanced", "lopsided"),
    "least privilege": ("only the permissions it needs", "only the permissions they need"),
    # A denial of cost says "free": a red flag "blue/green is free" meets "blue/green doesn't
    # cost anything extra", and "isn't free" still reads as denied.
    "free": (
        "doesn't cost anything",
        "don't cost anything",
        "does not cost anything",
        "do not cost anything",
        "never costs anything",
        "never cost anything",
        "costs nothing",
        "cost nothing",
        "free of charge",
        "at no cost",
        "at no charge",
        "no charge for",
    ),
}


@dataclass(frozen=True)
class Token:
    form: str  # normalised form compared in matches
    start: int  # character span in the original text
    end: int
    negated_by: int | None = None  # index of the token that negates this one, if any


_local = threading.local()


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    # A snowball stemmer keeps the word being stemmed on itself, so threads (concurrent grading)
    # must not share one.
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        stemmer = _local.stemmer = snowballstemmer.stemmer("english")
    return str(stemmer.stemWord(word))


@lru_cache(maxsize=65536)
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
    for plain, phrases in PARAPHRASES.items():
        canonical_forms = tuple(t.form for t in _raw_tokens(plain))
        canonical = " ".join(canonical_forms)
        if len(canonical_forms) > 1:
            table.append((canonical_forms, canonical))
        for phrase in phrases:
            forms = tuple(t.form for t in _raw_tokens(phrase))
            if forms and forms != canonical_forms:
                table.append((forms, canonical))
    for canonical, phrases in ABBREVIATIONS.items():
        for phrase in phrases:
            forms = tuple(t.form for t in _raw_tokens(phrase))
            if forms and forms != (canonical,):
                table.append((forms, canonical))
    table.sort(key=lambda item: -len(item[0]))
    return tuple(table)


def tokenize(text: str, *, fold: bool = True) -> list[Token]:
    """Normalised tokens of `text`, negations resolved and (with `fold`) synonyms folded."""
    raw = _raw_tokens(text)
    return _resolve_polarity(_fold_phrases(raw) if fold else raw)


@cache
def _phrases_by_first_form() -> dict[str, tuple[tuple[tuple[str, ...], str], ...]]:
    """The phrase table keyed by each phrase's first form, longest first: a lookup per token."""
    grouped: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for forms, canonical in _phrase_table():
        grouped.setdefault(forms[0], []).append((forms, canonical))
    return {first: tuple(entries) for first, entries in grouped.items()}


def _fold_phrases(raw: Sequence[Token]) -> list[Token]:
    """Synonym phrases folded into their canonical abbreviation ("security group" -> "sg")."""
    table = _phrases_by_first_form()
    folded: list[Token] = []
    i = 0
    while i < len(raw):
        for forms, canonical in table.get(raw[i].form, ()):
            n = len(forms)
            if tuple(t.form for t in raw[i : i + n]) == forms:
                folded.append(Token(canonical, raw[i].start, raw[i + n - 1].end))
                i += n
                break
        else:
            folded.append(raw[i])
            i += 1
    return folded


def _forms(words: str) -> frozenset[str]:
    return frozenset(_normal_form(word) for word in words.split())


# Words that deny what follows them; "n't" endings ("isn't", "doesn't") count too.
_NEGATORS = _forms(
    "not never no non cannot isnt arent dont doesnt didnt wasnt werent wont cant shouldnt "
    "wouldnt couldnt hasnt havent neither nor nobody noone"
)
# Words that may stand between a negator and the word it denies ("is not really stateful").
_NEGATION_BRIDGE = _forms(
    "be is are was were been being really actually always necessarily fully truly entirely "
    "completely very inherently strictly purely quite technically considered longer "
    # "there's no way to get strong consistency", "it can't give you strong consistency":
    # a light verb and what leads to it carry the denial on to what is denied.
    "way option possible to get gets getting give gives giving you any"
)
# After a negator these mean "not only": nothing is denied.
_NOT_ONLY = _forms("only just merely simply also")

# Opposites: a negated word reads as its opposite ("not stateless" -> "stateful").
_OPPOSITE_PAIRS = (
    ("stateful", "stateless"),
    ("synchronous", "asynchronous"),
    ("sync", "async"),
    ("mutable", "immutable"),
    ("encrypted", "unencrypted"),
    ("public", "private"),
    ("persistent", "ephemeral"),
    ("automatic", "manual"),
    ("temporary", "permanent"),
    ("managed", "unmanaged"),
    ("regional", "global"),
    ("strongly", "eventually"),
    ("strong", "eventual"),
    ("consistent", "inconsistent"),
    ("allow", "deny"),
    ("supported", "unsupported"),
    ("available", "unavailable"),
    ("blocking", "nonblocking"),
    ("idempotent", "nonidempotent"),
)
OPPOSITES: dict[str, str] = {}
for _left, _right in _OPPOSITE_PAIRS:
    OPPOSITES[_normal_form(_left)] = _normal_form(_right)
    OPPOSITES[_normal_form(_right)] = _normal_form(_left)


def is_negator(form: str) -> bool:
    """True for a token form that denies what follows it."""
    return form in _NEGATORS or form.endswith("n't")


def _resolve_polarity(tokens: Sequence[Token]) -> list[Token]:
    """Negated words with an opposite become it; other negated words are marked.

    "SGs are not stateless" reads as "SGs are stateful"; in "S3 does not lock objects" the
    token "lock" is marked as negated by "not".
    """
    resolved: list[Token] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if not is_negator(token.form):
            resolved.append(token)
            i += 1
            continue
        target = i + 1
        while target < len(tokens) and tokens[target].form in _NEGATION_BRIDGE:
            target += 1
        if target >= len(tokens) or tokens[target].form in _NOT_ONLY:
            resolved.append(token)
            i += 1
            continue
        denied = tokens[target]
        opposite = OPPOSITES.get(denied.form)
        if opposite is not None:
            resolved.append(Token(opposite, token.start, denied.end))
            i = target + 1
            continue
        negator_index = len(resolved)
        resolved.append(token)
        resolved.extend(tokens[i + 1 : target])
        resolved.append(Token(denied.form, denied.start, denied.end, negated_by=negator_index))
        i = target + 1
    return resolved


@cache
def cue_forms(cue: str, *, fold: bool = True) -> tuple[str, ...]:
    """A cue in normalised form, ready to look for in an answer's tokens."""
    return tuple(t.form for t in tokenize(cue, fold=fold))


@cache
def cue_denies(cue: str) -> bool:
    """True when the cue itself says "not" ("inter-AZ traffic doesn't cost anything")."""
    return any(is_negator(form) for form in cue_forms(cue))


@dataclass(frozen=True)
class Match:
    cue: str
    start: int
    end: int
    first_token: int  # index in the answer's token list
    last_token: int = -1
    negated: bool = False  # a negator outside the match denies a word of it


def find_cue(tokens: Sequence[Token], cue: str, *, fold: bool = True) -> list[Match]:
    """Every place the cue occurs in the tokens, as spans of the original text.

    `fold` must match how the tokens were made (see `tokenize`).
    """
    forms = cue_forms(cue, fold=fold)
    n = len(forms)
    if n == 0:
        return []
    matches: list[Match] = []
    for i in range(len(tokens) - n + 1):
        if tokens[i].form != forms[0] or any(tokens[i + k].form != forms[k] for k in range(1, n)):
            continue
        negated = any(
            t.negated_by is not None and not i <= t.negated_by < i + n for t in tokens[i : i + n]
        )
        matches.append(Match(cue, tokens[i].start, tokens[i + n - 1].end, i, i + n - 1, negated))
    return matches


@dataclass(frozen=True)
class Tokens:
    """A text tokenized twice: with synonym phrases folded ("SG" meets "security group") and
    without (so "relational database" is still found inside "relational database service")."""

    folded: list[Token]
    unfolded: list[Token]

    @classmethod
    def of(cls, text: str) -> Tokens:
        return cls(tokenize(text), tokenize(text, fold=False))

    def find(self, cue: str) -> list[Match]:
        """Every place the cue occurs, in either tokenization, once per span."""
        found = {(m.start, m.end): m for m in find_cue(self.unfolded, cue, fold=False)}
        found.update({(m.start, m.end): m for m in find_cue(self.folded, cue)})
        return sorted(found.values(), key=lambda m: (m.start, m.end))


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int


def sentences(text: str) -> list[Sentence]:
    """Sentence spans of `text`, trimmed of white space.

    A sentence ends at . ! or ? before white space, at a blank line, or where a list item starts.
    """
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


def clauses(text: str, sentence: Sentence) -> list[Sentence]:
    """The clauses of one sentence: split at commas, semicolons, dashes and contrast words."""
    spans: list[Sentence] = []
    position = sentence.start
    chunk = text[sentence.start : sentence.end]
    for boundary in [*_CLAUSE_BREAK.finditer(chunk), None]:
        end = sentence.start + boundary.start() if boundary else sentence.end
        if end > position:
            spans.append(Sentence(position, end))
        if boundary:
            position = sentence.start + boundary.end()
    kept = [span for span in spans if _WORD.search(text[span.start : span.end])]
    return kept or [sentence]


# Words that hold prose together. A run of terms with none of them between is a list, not a claim.
FUNCTION_WORDS = _forms(
    "a an the this that these those it its they them their there here i we you your our "
    "he she is are was were be been being am do does did has have had will would can could "
    "should shall may might must so because since if when then than as of to in on at by for "
    "from with into onto over under about through between after before until unless which who "
    "whom whose what where why how means mean need needs lets let gets get makes make keeps "
    "keep goes go use uses"
)
_ITEM_BREAK = re.compile(r"[,;|\n]|\band\b|\bor\b|\s-\s", re.IGNORECASE)
_PHRASE_WORDS = 4  # an item this long is a phrase, not a bare term
_BRACKETED = re.compile(r"\([^()]*\)")


def _inner_words(word: str) -> str:
    """The words of a written word that may join it to others: the middle of a compound."""
    parts = [part for part in word.split("-") if part]
    return word if len(parts) < 2 else " ".join(parts[1:-1])


def is_bare_list(text: str, sentence: Sentence) -> bool:
    """True when the sentence is a bare list of terms rather than prose that makes claims.

    "stateful, stateless, ENI, subnet, ephemeral ports, deny rules" lists the right words without
    saying what is stateful; "SGs are stateful at the ENI, NACLs stateless per subnet" says it.
    """
    # An aside in brackets is part of the item it follows: "general purpose (M, T), compute ...".
    chunk = _BRACKETED.sub(" ", text[sentence.start : sentence.end])
    words = _raw_tokens(chunk)
    if len(words) < 4:
        return False
    items = [item for item in _ITEM_BREAK.split(chunk) if _WORD.search(item)]
    if len(items) <= 1:
        # No separators: a run of five or more terms with no word of prose among them.
        return len(words) >= 5 and not any(t.form in FUNCTION_WORDS for t in words)
    if len(items) < 4:
        return False
    glued = 0
    for item in items:
        # Words as written: "0.0.0.0/0" and "egress-only" are one term each, not several. A
        # particle that ends a compound ("add-ons", "lock-in") does not make it prose; a word
        # that joins two ("scale-to-zero", "read-after-write") relates them.
        written = item.split()
        item_words = _raw_tokens(" ".join(_inner_words(word) for word in written))
        if (
            len(written) >= _PHRASE_WORDS
            or any(t.form in FUNCTION_WORDS for t in item_words)
            or _RELATING_SYMBOLS.search(item)
        ):
            glued += 1
    # Nearly every item a bare term; one lead-in ("SGs: ...") is allowed in a long list.
    return glued <= len(items) // 8


# How many other words may stand between two words of a cue in a loose match.
_LOOSE_GAP = 3


_SENTENCE_STOP = re.compile(r"[.!?](?:\s|$)")
# Words a loose match may do without: articles do not change the claim ("the" IGW).
_LOOSE_OPTIONAL = _forms("a an the")
_BE = _forms("is are was were be been")


def _same_form(said: str, cue: str) -> bool:
    # Every negator denies alike ("can't" says what "cannot" says), and "is" links as "are" does.
    return said == cue or (is_negator(said) and is_negator(cue)) or (said in _BE and cue in _BE)


def find_loose(text: str, tokens: Sequence[Token], cue: str) -> list[Match]:
    """Where the cue's content words occur in order within one clause, a few words apart.

    "overwrites and deletes are eventually consistent" makes the claim of the cue "overwrites
    are eventually consistent". A claim is worded in many ways, so red flags are looked for
    this way. Only the cue's articles may be left out; a negator inside the
    span ("IMDSv1 is not really fine") denies it; a cue of fewer than two content words is only
    ever matched exactly.
    """
    forms = [form for form in cue_forms(cue) if form not in _LOOSE_OPTIONAL]
    if sum(1 for form in forms if form not in FUNCTION_WORDS) < 2:
        return []
    denies = cue_denies(cue)
    matches: list[Match] = []
    for first, token in enumerate(tokens):
        if not _same_form(token.form, forms[0]):
            continue
        positions = [first]
        for form in forms[1:]:
            window = range(positions[-1] + 1, min(len(tokens), positions[-1] + 2 + _LOOSE_GAP))
            found = next((j for j in window if _same_form(tokens[j].form, form)), None)
            if found is None:
                break
            positions.append(found)
        else:
            span = tokens[first : positions[-1] + 1]
            if not denies and any(is_negator(t.form) or t.negated_by is not None for t in span):
                continue
            said = text[span[0].start : span[-1].end]
            if _CLAUSE_BREAK.search(said) or _SENTENCE_STOP.search(said):
                continue
            # Words between must not start another claim ("SGs are stateful and NACLs are ...")
            # or say the opposite of a word of the cue.
            between = [t.form for k, t in enumerate(span, start=first) if k not in positions]
            opposites = {OPPOSITES.get(form) for form in forms}
            if any(form in _BE or form in opposites for form in between):
                continue
            matches.append(Match(cue, span[0].start, span[-1].end, first, positions[-1]))
    return matches


# Words that relate the terms around them: verbs that link, pronouns that start a clause,
# prepositions ("RBAC via access entries", "namespace per tenant") and conjunctions of reasoning.
_RELATING_TEXT = """
    is are was were be been being am isn't aren't wasn't weren't has have had do does did
    don't doesn't didn't can can't cannot could will won't would should must may might shall
    it it's its they them their you your we our i i'd i'm i'll he she that which who because so
    when if then than there this these those what where why how of to in on at by for from with
    via per into onto over under within across between after before until unless without
    instead rather not no never only each every all both either vs versus plus minus"""
_RELATING_WORDS = frozenset(_RELATING_TEXT.split())
# Prefixes of hyphenated words that relate too: "per-ENI", "non-transitive", "no-op".
_RELATING_PREFIXES = ("per-", "non-", "no-", "not-", "self-")
# Symbols that state a relation in terse notes: "Stack = unit of lifecycle", "IoT Core -> rule".
_RELATING_SYMBOLS = re.compile(r"=|->|→|<|>|\+|≤|≥|~")
_LIST_ITEM_BREAK = re.compile(r"[,;.()\n]|\band\b|\bor\b|\s[-\u2013\u2014]\s", re.IGNORECASE)
# A list this long, with this small a share of items that relate anything, names terms and
# says nothing about them. Terse expert notes ("SG: stateful, per-ENI, allow-only") relate a
# third or more of their items; keyword lists hardly any.
_TERM_LIST_ITEMS = 8
_TERM_LIST_RELATING_SHARE = 0.17
_ITEM_PROSE_WORDS = 6


def is_term_list(text: str) -> bool:
    """True when the whole answer is a list of terms: many short items, hardly any relating.

    "Strong read-after-write consistency, since December 2020, GET, PUT, LIST, DELETE, no
    extra cost, last writer wins, conditional writes, versioning" names every idea of a good
    answer without saying how any of them bears on the question.
    """
    items = [item for item in _LIST_ITEM_BREAK.split(text) if item and _WORD.search(item)]
    if len(items) < _TERM_LIST_ITEMS:
        return False
    relating = sum(
        1
        for item in items
        if _RELATING_SYMBOLS.search(item)
        or len(item.split()) >= _ITEM_PROSE_WORDS
        or any(
            word in _RELATING_WORDS or word.startswith(_RELATING_PREFIXES)
            for word in (w.lower().strip(":'\"") for w in item.split())
        )
    )
    return relating / len(items) < _TERM_LIST_RELATING_SHARE


# A claim worded freely keeps its content words but not their order ("replicas are synchronous"
# is also "they replicate synchronously, the read replicas"): with this many content words, all
# of them inside one clause are the claim.
_FREE_WORDING_CONTENT_WORDS = 3
_FREE_WORDING_SLACK = 3  # other words allowed among the cue's
_JOINING = _forms("and or but")
_DETERMINERS = _forms("the a an each every its their our your this that these those")
# Words a freely worded claim may leave out; verbs ("keep", "use") carry the claim and stay.
# Whose it is stays ("run our own database" is not "running your own database adds work").
FREE_WORDING_IGNORED = _forms(
    "a an the is are was were be been being am of to in on at by for from with as so and or"
)


@lru_cache(maxsize=4096)
def _denied_words(cue: str) -> frozenset[str]:
    """The words a cue's own negators deny ("retry" in "SDKs don't retry")."""
    return frozenset(t.form for t in Tokens.of(cue).folded if t.negated_by is not None)


@lru_cache(maxsize=256)
def clause_spans(text: str) -> tuple[tuple[int, int], ...]:
    """(start, end) of every clause of every sentence of `text`, in order."""
    return tuple(
        (clause.start, clause.end)
        for sentence in sentences(text)
        for clause in clauses(text, sentence)
    )


def find_in_clause(
    text: str,
    tokens: Sequence[Token],
    cue: str,
    *,
    share: float = 1.0,
    ignored: frozenset[str] = FREE_WORDING_IGNORED,
) -> list[Match]:
    """Where every content word of a cue of three or more occurs in one clause, in any order.

    A clause with a negator in it does not make the claim (unless the cue itself denies). With
    `share` below 1, that share of the cue's different content words (at least three) is
    enough, wherever they sit in the clause: a looser reading, for what a cue only suggests.
    """
    wanted = Counter(
        form for form in cue_forms(cue) if form not in ignored and not is_negator(form)
    )
    forms = set(wanted)
    if len(forms) < _FREE_WORDING_CONTENT_WORDS:
        return []
    whole = share >= 1.0
    need = len(forms) if whole else max(_FREE_WORDING_CONTENT_WORDS, math.ceil(share * len(forms)))
    if len(forms & {token.form for token in tokens}) < need:
        return []  # not in the whole text, so in no clause of it
    denies = cue_denies(cue)
    starts = [token.start for token in tokens]
    matches: list[Match] = []
    for clause_start, clause_end in clause_spans(text):
        first_index = bisect.bisect_left(starts, clause_start)
        last_index = bisect.bisect_left(starts, clause_end)
        inside = list(enumerate(tokens[first_index:last_index], start=first_index))
        found = [(i, t) for i, t in inside if t.form in forms]
        if whole:
            # Each word as often as the cue says it: "active-passive" is not "active-active".
            if not wanted <= Counter(t.form for _, t in found):
                continue
        elif len({t.form for _, t in found}) < need:
            continue
        denied = any(is_negator(t.form) or t.negated_by is not None for _, t in inside)
        if denied is not denies:
            continue
        # A cue that denies denies one word ("SDKs don't *retry*"): "don't write your own retry
        # loop around an SDK call" denies another, and says nothing of whether the SDK retries.
        if (
            denies
            and (targets := _denied_words(cue))
            and not any(t.negated_by is not None and t.form in targets for _, t in inside)
        ):
            continue
        first, last = found[0], found[-1]
        # The words must sit together: spread over a long clause they are not one claim.
        if whole and last[0] - first[0] + 1 > len(forms) + _FREE_WORDING_SLACK:
            continue
        # "the database stays the source of truth and the cache can be rebuilt" holds the words
        # of "the cache is the source of truth" on either side of "and the": two claims.
        if any(
            tokens[k].form in _JOINING and tokens[k + 1].form in _DETERMINERS
            for k in range(first[0] + 1, last[0] - 1)
        ):
            continue
        matches.append(Match(cue, first[1].start, last[1].end, first[0], last[0]))
    return matches
