"""Delivery notes for spoken-style practice: observable facts about an answer, not judgements.

Words, the time it would take to say them, filler words, hedges, words said over and over, and
the AWS services named against those the question's rubric expects. Nothing here grades content;
the numbers are shown beside the grade so a candidate can hear how the answer would come across.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

from mockaws.models import Delivery, Question

WORDS_PER_MINUTE = 140
# A spoken interview answer of one to two minutes: long enough to show depth, short enough to
# leave room for follow-ups.
TARGET_SECONDS = (60, 120)
REPEATED_AT_LEAST = 3
REPEATED_SHOWN = 3

_APOSTROPHES = "'\u2019"
_DASHES = "\u2014\u2013"
_TOKEN = re.compile(
    rf"[A-Za-z0-9]+(?:[{_APOSTROPHES}][A-Za-z]+)*|[.,;:!?(){_DASHES}]|(?<!\w)-(?!\w)"
)
_CLAUSE_BREAK = frozenset(".,;:!?()-" + _DASHES)

# Sounds and words that are fillers wherever they are said.
_ALWAYS_FILLERS = frozenset(
    {"um", "umm", "uh", "uhh", "uhm", "er", "erm", "hmm", "basically", "actually", "literally"}
)
# Words before "kind of" / "sort of" that make it a noun phrase ("a kind of database").
_DETERMINERS = frozenset(
    {
        "a", "an", "the", "what", "this", "that", "any", "some", "every", "each", "one", "which",
        "another", "same", "these", "those", "no", "other", "different", "right", "wrong",
        "particular", "certain", "specific", "new", "whatever", "first", "second", "only",
    }
)  # fmt: skip
# Words after "you know" that make "know" a verb with an object ("you know the key").
_KNOW_OBJECTS = frozenset(
    {
        "what", "how", "that", "which", "who", "whom", "where", "why", "when", "whether", "if",
        "about", "the", "a", "an", "it", "this", "these", "those", "your", "my", "them", "him",
        "her", "its", "their", "our", "exactly", "for", "more", "enough", "all",
    }
)  # fmt: skip
_KNOW_ASKERS = frozenset({"do", "did", "don't", "didn't", "if", "as", "would", "might", "to"})
# "so like", "and like, ..." — "like" after these is filler; "services like S3" is not.
_LIKE_LEADS = frozenset({"so", "and", "but", "um", "uh", "er", "erm", "was", "were", "just"})

_HEDGES: tuple[tuple[str, ...], ...] = tuple(
    tuple(phrase.split())
    for phrase in (
        "i think",
        "i believe",
        "i guess",
        "i suppose",
        "i assume",
        "i'd say",
        "not sure",
        "not 100 sure",
        "not entirely sure",
        "if i remember correctly",
        "if i recall",
        "iirc",
        "probably",
        "maybe",
        "perhaps",
        "possibly",
        "presumably",
        "more or less",
    )
)

_STOPWORDS = frozenset(
    """
    about above after again against also although always another anything around because been
    before being below between both cannot could does doing down during each either else enough
    even ever every first from further have having here however into itself just keep kind know
    last like made make makes many more most much must need needs never next only other others
    ours over same should since some something sort still such than that that's their theirs them
    then there there's these they they're thing things this those though through thus together too
    under until upon used uses using very want wants well were what what's when where whether which
    while who whole whom whose will with within without would you'd you'll you're your yours
    also really actually basically literally probably maybe perhaps possibly
    """.split()  # noqa: SIM905 - a word list reads better as text
)

# Canonical service name -> the ways people say it. Words that are also plain English
# ("config", "glue", "batch", "shield") only count with their AWS/Amazon prefix.
AWS_SERVICES: dict[str, tuple[str, ...]] = {
    "S3": ("S3", "Simple Storage Service", "S3 Glacier"),
    "Glacier": ("Glacier", "Glacier Deep Archive"),
    "EC2": ("EC2", "Elastic Compute Cloud"),
    "Lambda": ("Lambda", "Lambdas"),
    "DynamoDB": ("DynamoDB", "Dynamo", "DDB"),
    "SQS": ("SQS", "Simple Queue Service"),
    "SNS": ("SNS", "Simple Notification Service"),
    "IAM": ("IAM", "Identity and Access Management"),
    "IAM Identity Center": ("IAM Identity Center", "AWS SSO"),
    "STS": ("STS", "Security Token Service", "AssumeRole"),
    "VPC": ("VPC", "VPCs", "Virtual Private Cloud"),
    "VPC endpoints": ("VPC endpoint", "VPC endpoints", "gateway endpoint", "interface endpoint"),
    "PrivateLink": ("PrivateLink",),
    "NAT Gateway": ("NAT Gateway", "NAT Gateways", "NAT GW"),
    "Internet Gateway": ("Internet Gateway", "IGW"),
    "Transit Gateway": ("Transit Gateway", "TGW"),
    "Direct Connect": ("Direct Connect", "DX"),
    "Site-to-Site VPN": ("Site-to-Site VPN", "site to site VPN", "AWS VPN"),
    "CloudFront": ("CloudFront",),
    "Route 53": ("Route 53", "Route53"),
    "Global Accelerator": ("Global Accelerator",),
    "ELB": (
        "ELB",
        "ALB",
        "NLB",
        "GWLB",
        "Elastic Load Balancing",
        "Elastic Load Balancer",
        "Application Load Balancer",
        "Network Load Balancer",
        "Gateway Load Balancer",
        "load balancer",
        "load balancers",
    ),
    "Auto Scaling": ("Auto Scaling", "Autoscaling", "ASG", "ASGs", "Auto Scaling group"),
    "RDS": ("RDS", "Relational Database Service"),
    "Aurora": ("Aurora",),
    "ElastiCache": ("ElastiCache", "Elasticache"),
    "MemoryDB": ("MemoryDB",),
    "Redshift": ("Redshift",),
    "DocumentDB": ("DocumentDB",),
    "Neptune": ("Neptune",),
    "Timestream": ("Timestream",),
    "Keyspaces": ("Amazon Keyspaces",),
    "OpenSearch": ("OpenSearch", "Elasticsearch Service"),
    "EBS": ("EBS", "Elastic Block Store"),
    "EFS": ("EFS", "Elastic File System"),
    "FSx": ("FSx",),
    "Storage Gateway": ("Storage Gateway",),
    "DataSync": ("DataSync",),
    "Snow Family": ("Snowball", "Snowmobile", "Snowcone"),
    "Transfer Family": ("Transfer Family",),
    "AWS Backup": ("AWS Backup",),
    "ECS": ("ECS", "Elastic Container Service"),
    "EKS": ("EKS", "Elastic Kubernetes Service"),
    "ECR": ("ECR", "Elastic Container Registry"),
    "Fargate": ("Fargate",),
    "App Runner": ("App Runner",),
    "Elastic Beanstalk": ("Elastic Beanstalk", "Beanstalk"),
    "Lightsail": ("Lightsail",),
    "AWS Batch": ("AWS Batch",),
    "Outposts": ("Outposts",),
    "API Gateway": ("API Gateway", "APIGW"),
    "AppSync": ("AppSync",),
    "Step Functions": ("Step Functions", "Step Function", "state machine"),
    "EventBridge": ("EventBridge", "CloudWatch Events"),
    "Kinesis": ("Kinesis", "Kinesis Data Streams", "Kinesis Data Firehose", "Firehose"),
    "MSK": ("MSK", "Managed Streaming for Apache Kafka"),
    "Amazon MQ": ("Amazon MQ",),
    "SES": ("SES", "Simple Email Service"),
    "Cognito": ("Cognito",),
    "KMS": ("KMS", "Key Management Service"),
    "CloudHSM": ("CloudHSM",),
    "Secrets Manager": ("Secrets Manager",),
    "Systems Manager": ("Systems Manager", "SSM", "Parameter Store", "Session Manager"),
    "ACM": ("ACM", "Certificate Manager"),
    "WAF": ("WAF",),
    "Shield": ("AWS Shield", "Shield Advanced"),
    "GuardDuty": ("GuardDuty",),
    "Inspector": ("Amazon Inspector",),
    "Macie": ("Macie",),
    "Security Hub": ("Security Hub",),
    "Detective": ("Amazon Detective",),
    "Firewall Manager": ("Firewall Manager",),
    "Network Firewall": ("Network Firewall",),
    "AWS Config": ("AWS Config", "Config rules"),
    "CloudTrail": ("CloudTrail",),
    "CloudWatch": ("CloudWatch", "CloudWatch Logs", "CloudWatch alarms"),
    "X-Ray": ("X-Ray", "XRay"),
    "Organizations": ("AWS Organizations", "SCP", "SCPs", "service control policy"),
    "Control Tower": ("Control Tower",),
    "Trusted Advisor": ("Trusted Advisor",),
    "Cost Explorer": ("Cost Explorer",),
    "AWS Budgets": ("AWS Budgets",),
    "Compute Optimizer": ("Compute Optimizer",),
    "CloudFormation": ("CloudFormation", "CFN"),
    "CDK": ("CDK", "Cloud Development Kit"),
    "SAM": ("AWS SAM", "Serverless Application Model"),
    "CodePipeline": ("CodePipeline",),
    "CodeBuild": ("CodeBuild",),
    "CodeDeploy": ("CodeDeploy",),
    "CodeCommit": ("CodeCommit",),
    "Athena": ("Athena",),
    "AWS Glue": ("AWS Glue", "Glue Data Catalog", "Glue crawler", "Glue jobs"),
    "EMR": ("EMR", "Elastic MapReduce"),
    "Lake Formation": ("Lake Formation",),
    "QuickSight": ("QuickSight",),
    "DMS": ("DMS", "Database Migration Service"),
    "SageMaker": ("SageMaker",),
    "Bedrock": ("Bedrock",),
    "Amplify": ("AWS Amplify",),
}


@cache
def _service_patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    patterns = []
    for service, aliases in AWS_SERVICES.items():
        # Longest first, so "S3 Glacier" is one mention rather than S3 and Glacier.
        alternatives = sorted(aliases, key=len, reverse=True)
        body = "|".join(r"[\s-]+".join(map(re.escape, a.split())) for a in alternatives)
        patterns.append(
            (service, re.compile(rf"(?<![A-Za-z0-9])(?:{body})(?![A-Za-z0-9])", re.IGNORECASE))
        )
    return tuple(patterns)


def services_in(text: str) -> list[str]:
    """AWS services named in `text`, canonical names in the order first named."""
    found: list[tuple[int, str]] = []
    for service, pattern in _service_patterns():
        match = pattern.search(text)
        if match:
            found.append((match.start(), service))
    return [service for _, service in sorted(found)]


def expected_services(question: Question) -> list[str]:
    """The services a question's rubric names, in its points or their cues."""
    text = "\n".join(f"{p.point}\n" + "\n".join(p.cues) for p in question.rubric)
    return services_in(text)


@dataclass(frozen=True)
class _Token:
    text: str  # lower case; punctuation tokens are the mark itself

    @property
    def is_break(self) -> bool:
        return self.text in _CLAUSE_BREAK


def _tokens(text: str) -> list[_Token]:
    return [_Token(t.lower().replace("\u2019", "'")) for t in _TOKEN.findall(text)]


def _word_at(tokens: Sequence[_Token], index: int) -> str | None:
    """The word at `index`, or None at either end or on punctuation."""
    if 0 <= index < len(tokens) and not tokens[index].is_break:
        return tokens[index].text
    return None


def _starts_clause(tokens: Sequence[_Token], index: int) -> bool:
    return index == 0 or tokens[index - 1].is_break


def _filler_at(tokens: Sequence[_Token], i: int) -> tuple[str, int] | None:
    """The filler starting at token `i` and how many tokens it spans, if there is one."""
    word = tokens[i].text
    before = _word_at(tokens, i - 1)
    if word in _ALWAYS_FILLERS:
        return word, 1
    if word == "like":
        after = tokens[i + 1].text if i + 1 < len(tokens) else None
        if after == "," or before in _LIKE_LEADS or after in _ALWAYS_FILLERS:
            return "like", 1
        return None
    following = _word_at(tokens, i + 1)
    if word in {"kind", "sort"} and following == "of":
        if before in _DETERMINERS:
            return None
        return f"{word} of", 2
    if word == "you" and following == "know":
        after = _word_at(tokens, i + 2)
        if before in _KNOW_ASKERS or (after is not None and after in _KNOW_OBJECTS):
            return None
        return "you know", 2
    if word == "i" and following == "mean" and _starts_clause(tokens, i):
        return "i mean", 2
    return None


def _display(phrase: str) -> str:
    """A phrase as written: "i think" -> "I think", "i'd say" -> "I'd say"."""
    return " ".join("I" + w[1:] if w == "i" or w.startswith("i'") else w for w in phrase.split())


def _count_fillers(tokens: Sequence[_Token]) -> Counter[str]:
    counts: Counter[str] = Counter()
    i = 0
    while i < len(tokens):
        found = None if tokens[i].is_break else _filler_at(tokens, i)
        if found is None:
            i += 1
            continue
        filler, span = found
        counts[_display(filler)] += 1
        i += span
    return counts


def _count_hedges(words: Sequence[str]) -> Counter[str]:
    counts: Counter[str] = Counter()
    i = 0
    while i < len(words):
        for phrase in _HEDGES:
            if tuple(words[i : i + len(phrase)]) == phrase:
                counts[_display(" ".join(phrase))] += 1
                i += len(phrase)
                break
        else:
            i += 1
    return counts


def _most_common(
    counts: Counter[str], at_least: int = 1, limit: int | None = None
) -> dict[str, int]:
    ranked = sorted(
        ((word, n) for word, n in counts.items() if n >= at_least), key=lambda item: -item[1]
    )
    return dict(ranked[:limit])


# About 3,000 words, twenty minutes spoken: ten times a long interview answer.
MAX_ANALYSED_CHARS = 20_000


def analyse(answer: str, question: Question | None = None) -> Delivery:
    """The delivery facts of one answer; `question` supplies the services its rubric expects.

    A very long answer (a paste, a runaway dictation) is read for fillers, hedges and services
    on its first MAX_ANALYSED_CHARS characters only, and its words are counted whole.
    """
    sample = answer[:MAX_ANALYSED_CHARS]
    tokens = _tokens(sample)
    # Percent signs and the like are dropped by the tokenizer: "not 100% sure" reads as words.
    words = [t.text for t in tokens if not t.is_break]
    count = len(words) if len(sample) == len(answer) else len(answer.split())
    content = Counter(
        w for w in words if len(w) >= 4 and w not in _STOPWORDS and w not in _ALWAYS_FILLERS
    )
    return Delivery(
        words=count,
        speaking_seconds=round(count * 60 / WORDS_PER_MINUTE, 1),
        fillers=_most_common(_count_fillers(tokens)),
        hedges=_most_common(_count_hedges(words)),
        repeated=_most_common(content, REPEATED_AT_LEAST, REPEATED_SHOWN),
        services_named=services_in(sample),
        services_expected=expected_services(question) if question is not None else [],
    )


def combine(deliveries: Iterable[Delivery]) -> Delivery:
    """The facts of several answers summed: totals, and services over the whole session."""
    items = list(deliveries)
    measured = bool(items) and all(i.measured for i in items)
    fillers: Counter[str] = Counter()
    hedges: Counter[str] = Counter()
    repeated: Counter[str] = Counter()
    named: dict[str, None] = {}
    expected: dict[str, None] = {}
    for item in items:
        fillers.update(item.fillers)
        hedges.update(item.hedges)
        repeated.update(item.repeated)
        named.update(dict.fromkeys(item.services_named))
        expected.update(dict.fromkeys(item.services_expected))
    return Delivery(
        words=sum(i.words for i in items),
        speaking_seconds=round(sum(i.speaking_seconds for i in items), 1),
        fillers=_most_common(fillers),
        hedges=_most_common(hedges),
        repeated=_most_common(repeated, REPEATED_AT_LEAST, REPEATED_SHOWN),
        services_named=list(named),
        services_expected=list(expected),
        # Pace from the audio only when every answer was spoken: typed times are estimates.
        measured=measured,
        long_pauses=[p for i in items for p in i.long_pauses] if measured else [],
    )


def pace(seconds: float) -> str:
    """Where a speaking time falls against the target: "under", "within" or "over"."""
    low, high = TARGET_SECONDS
    if seconds < low:
        return "under"
    if seconds > high:
        return "over"
    return "within"


def _counted(counts: dict[str, int]) -> str:
    return ", ".join(f"{w} x{n}" if n > 1 else w for w, n in counts.items())


def describe(delivery: Delivery) -> str:
    """The facts of one answer in a line: words, speaking time, fillers, hedges, repeats."""
    low, high = (s // 60 for s in TARGET_SECONDS)
    seconds = round(delivery.speaking_seconds)
    target = f"{pace(delivery.speaking_seconds)} the {low}-{high} min target"
    parts = [f"{delivery.words} words"]
    if delivery.measured:
        parts.append(
            f"{seconds // 60}:{seconds % 60:02d} spoken at {delivery.words_per_minute or 0:.0f} "
            f"words a minute ({target})"
        )
        pauses = ", ".join(
            f"{p.seconds:.1f} s" + (f" after '{p.after}'" if p.after else "")
            for p in delivery.long_pauses
        )
        parts.append(
            f"long pauses {len(delivery.long_pauses)}" + (f" ({pauses})" if pauses else "")
        )
    else:
        parts.append(f"~{seconds // 60}:{seconds % 60:02d} spoken ({target})")
    fillers = _counted(delivery.fillers)
    parts.append(f"fillers {delivery.filler_count}" + (f" ({fillers})" if fillers else ""))
    if delivery.hedges:
        parts.append(f"hedges {delivery.hedge_count} ({_counted(delivery.hedges)})")
    if delivery.repeated:
        parts.append(f"repeated: {_counted(delivery.repeated)}")
    return " · ".join(parts)


def describe_services(delivery: Delivery) -> str | None:
    """The AWS services named, and those the rubric expects that were not; None if neither."""
    if not delivery.services_named and not delivery.services_expected:
        return None
    line = f"AWS services named: {', '.join(delivery.services_named) or 'none'}"
    missing = delivery.services_not_named
    if missing:
        line += f" · the rubric also expects: {', '.join(missing)}"
    return line
