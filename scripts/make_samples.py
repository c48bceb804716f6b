"""Regenerate the sample transcripts in transcripts/ from scripted answers and the offline grader.

Each sample is a real session run by mockaws's interview engine (the same one `mockaws interview`
drives) over questions from the shipped bank. Ids, dates and answer times are then pinned to fixed
values so that regenerating only changes the files when the tool's output changes.

    python scripts/make_samples.py      # writes transcripts/<id>.json, .md, and one .html
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from mockaws.bank import load_bank
from mockaws.export import render_html
from mockaws.grading.offline import OfflineGrader
from mockaws.grading.runner import GradingRunner
from mockaws.models import Level, SessionSettings, SessionStatus, Transcript
from mockaws.session import Interview
from mockaws.transcripts import TranscriptStore, atomic_write_text

OUT = Path(__file__).resolve().parents[1] / "transcripts"


@dataclass(frozen=True)
class Answer:
    question_id: str
    text: str  # "/skip" skips the question
    seconds: float  # how long the answer took to give, as recorded in the transcript


@dataclass(frozen=True)
class Sample:
    id: str
    started_at: datetime
    level: Level | None
    answers: tuple[Answer, ...]
    html: bool = False


SAMPLES = (
    Sample(
        id="20250310-091500-a1c3",
        started_at=datetime(2025, 3, 10, 9, 15, tzinfo=UTC),
        level=None,
        html=True,
        answers=(
            Answer(
                "sg-vs-nacl",
                "So a security group is basically a stateful firewall on the network interface, "
                "the ENI. Because it's stateful, return traffic is allowed automatically, you "
                "don't write rules for responses. It only has allow rules, and you can reference "
                "another security group, like letting only the web tier talk to the app tier.\n"
                "A network ACL sits at the subnet level and it's stateless, so you have to open "
                "the ephemeral ports, 1024 to 65535, for the response traffic going back out. "
                "NACLs have allow and deny rules, evaluated in rule number order, first match "
                "wins. I'd use security groups as the main control and a NACL to block a bad IP "
                "range.",
                84.0,
            ),
            Answer(
                "lambda-cold-starts",
                "A cold start is when Lambda has to create a new execution environment: it "
                "downloads your code, starts the runtime and runs the init code before your "
                "handler. You get it on the first request and whenever it scales out. To reduce "
                "it I'd turn on provisioned concurrency for the functions that matter, and keep "
                "the deployment package small with fewer dependencies. Some people ping the "
                "function every five minutes to keep it warm, with a scheduled warm-up, which "
                "also helps.",
                71.0,
            ),
            Answer(
                "rds-read-replica-vs-multi-az",
                "Read replicas are for read scaling, they replicate asynchronously so they can "
                "lag a bit, and each one has its own endpoint. You can put one in another Region "
                "and promote it for disaster recovery. Multi-AZ is for availability: there's a "
                "synchronous standby in another AZ, and RDS fails over automatically by "
                "changing the DNS record. Um, and I think the standby handles read traffic too, "
                "so it helps with reads.",
                66.0,
            ),
        ),
    ),
    Sample(
        id="20250317-184000-5e7b",
        started_at=datetime(2025, 3, 17, 18, 40, tzinfo=UTC),
        level=Level.SENIOR,
        answers=(
            Answer(
                "vpc-peering-vs-transit-gateway",
                "Peering is a point-to-point connection between two VPCs and it's "
                "non-transitive. It has no hourly charge and no extra hop, so for a few VPCs "
                "moving a lot of data it's great. But a full mesh grows as n(n-1)/2 connections "
                "and becomes unmanageable past a handful of VPCs.\n"
                "Transit Gateway is a regional hub and spoke router, every VPC or VPN is an "
                "attachment and routing is transitive. With several TGW route tables you get "
                "segmentation, so prod and dev can both reach shared services but not each "
                "other. It costs per attachment per hour plus per GB processed.",
                118.0,
            ),
            Answer(
                "s3-gateway-endpoint-private",
                "I'd route S3 traffic through the NAT gateway but lock the bucket down with "
                "a bucket policy on aws:SourceIp for the private subnet range, so only those "
                "instances get in.",
                39.0,
            ),
            Answer("secure-network-topology", "/skip", 12.0),
        ),
    ),
)


def run(sample: Sample, folder: Path) -> Transcript:
    """One scripted session through the interview engine; returns the saved transcript."""
    bank = load_bank()
    questions = [bank.get(a.question_id) for a in sample.answers]
    settings = SessionSettings(level=sample.level, count=len(questions), grader="offline")
    session = Interview(
        questions, GradingRunner(OfflineGrader()), TranscriptStore(folder), settings
    )
    for answer in sample.answers:
        if answer.text == "/skip":
            session.skip()
        else:
            session.submit(answer.text)
    session.wait_for_grades()  # grading runs in the background
    session.finish(SessionStatus.COMPLETED)
    return session.transcript


def pin(transcript: Transcript, sample: Sample) -> Transcript:
    """Fixed id and times, so the samples change only when the tool's output does."""
    pinned = transcript.model_copy(deep=True)
    pinned.id = sample.id
    pinned.started_at = sample.started_at
    moment = sample.started_at
    for turn, answer in zip(pinned.turns, sample.answers, strict=True):
        turn.asked_at = moment + timedelta(seconds=20)
        moment = turn.asked_at + timedelta(seconds=answer.seconds)
        turn.answered_at = moment
        turn.seconds = answer.seconds if turn.answer else 0.0
        if turn.grade is not None:
            turn.grade.graded_at = moment
            turn.grade.latency_s = 0.0
    pinned.finished_at = moment + timedelta(seconds=30)
    return pinned


def main(out: Path = OUT) -> list[Path]:
    """Write every sample into `out`; returns the files written."""
    bank = load_bank()
    out.mkdir(exist_ok=True)
    store = TranscriptStore(out)
    written: list[Path] = []
    with tempfile.TemporaryDirectory() as scratch:
        for sample in SAMPLES:
            transcript = pin(run(sample, Path(scratch)), sample)
            written += [store.save(transcript), store.save_markdown(transcript, bank.questions)]
            if sample.html:
                page = out / f"{transcript.id}.html"
                atomic_write_text(page, render_html(transcript, bank.questions))
                written.append(page)
    return written


if __name__ == "__main__":
    for path in main():
        print(f"wrote {path}")
