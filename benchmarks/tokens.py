"""Prompt tokens per grade over the bank, the cacheable prefix, and a 10-question interview's cost.

Every question is graded once with its own reference answer standing in for the candidate's
(a complete spoken answer). Token counts are exact when an o200k encoding is at hand (tiktoken's
cache, or `pip install 'mockaws[tokens]'`); otherwise they are estimates, and the output says so.
The reply is costed as the grader now writes it (labels first, then red flags, the integrity
flag, feedback and follow-up), plus the hidden reasoning tokens allowed for (default 1,000).
Goals: median prompt under 1,500 tokens, fixed prefix at least 1,024, interview under $0.02.
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path

from mockaws.bank import load_bank
from mockaws.config import DEFAULT_MODEL
from mockaws.models import Question
from mockaws.prompts import answer_block, grading_prompt, question_block, reply_schema
from mockaws.tokens import cost_usd, count_tokens, counter_for, price_for

# The chat format wraps each message in a few tokens of its own.
TOKENS_PER_MESSAGE = 4
TOKENS_PER_REPLY = 3


def prompt_tokens(question: Question, model: str) -> int:
    messages = grading_prompt(question, question.reference_answer).messages
    body = sum(count_tokens(m["content"], model).tokens for m in messages)
    return body + TOKENS_PER_MESSAGE * len(messages) + TOKENS_PER_REPLY


def typical_reply(question: Question) -> str:
    """A reply of the size the prompt asks for: a quote per point (up to 12 words), a note for
    every point not covered (up to 10), two strengths and two gaps (up to 8 words each), four
    outline lines, a follow-up."""
    sentences = [s.strip() for s in question.reference_answer.split(". ") if s.strip()]
    points = [
        {
            "point_id": point.id,
            "evidence": " ".join(sentences[i % len(sentences)].split()[:12]),
            "note": "" if i % 2 == 0 else " ".join(point.point.split()[:10]),
            "verdict": "covered" if i % 2 == 0 else "partial",
        }
        for i, point in enumerate(question.rubric)
    ]
    return json.dumps(
        {
            "points": points,
            "red_flags": [],
            "answer_addresses_grader": False,
            "feedback": {
                "strengths": [" ".join(p.point.split()[:8]) for p in question.rubric[:2]],
                "gaps": [" ".join(p.point.split()[:8]) for p in question.rubric[2:4]],
                "outline": [p.point for p in question.rubric[:4]],
            },
            "follow_up": question.follow_ups[0] if question.follow_ups else question.question,
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bank", type=Path, action="append", default=[], help="extra bank file")
    parser.add_argument("--only", action="store_true", help="only the --bank files")
    parser.add_argument("--model", default=DEFAULT_MODEL, help="model whose prices to use")
    parser.add_argument(
        "--reasoning-tokens",
        type=int,
        default=1000,
        help="hidden reasoning tokens per grade to allow for (default: 1,000)",
    )
    args = parser.parse_args()
    bank = load_bank(args.bank, include_shipped=not args.only)
    questions = sorted(bank.questions.values(), key=lambda q: q.id)
    if not questions:
        raise SystemExit("no questions in the bank")
    model = args.model
    counter = counter_for(model)

    prefix = count_tokens(grading_prompt(questions[0], "x").system, model).tokens
    prefix += TOKENS_PER_MESSAGE
    prompts = [prompt_tokens(q, model) for q in questions]
    blocks = [count_tokens(question_block(q), model).tokens for q in questions]
    references = [count_tokens(q.reference_answer, model).tokens for q in questions]
    answers = [count_tokens(answer_block(q, q.reference_answer), model).tokens for q in questions]
    replies = [count_tokens(typical_reply(q), model).tokens for q in questions]
    # Sent as response_format. To OpenAI the schema is the same for every question (it comes
    # before the system message in the prompt cache); local servers get each question's ids.
    schema = count_tokens(json.dumps(reply_schema()), model).tokens
    local_schemas = [count_tokens(json.dumps(reply_schema(q)), model).tokens for q in questions]
    prefix += schema
    prompts = [p + schema for p in prompts]

    median_prompt = statistics.median(prompts)
    median_reply = statistics.median(replies) + args.reasoning_tokens
    first = cost_usd(model, round(median_prompt), 0, round(median_reply)) or 0.0
    cached = cost_usd(model, round(median_prompt), prefix, round(median_reply)) or 0.0
    interview = first + 9 * cached

    mark = "" if counter.exact else " (ESTIMATE: no o200k encoding here)"
    print(f"token counter:                 {counter.name}{mark}")
    print(f"questions:                     {len(questions)}")
    print(f"fixed prefix (schema, system): {prefix:6d} tokens  (goal >= 1,024)")
    print(f"prompt per grade, median:      {median_prompt:6.0f} tokens  (goal < 1,500)")
    print(f"prompt per grade, max:         {max(prompts):6d} tokens")
    print(f"  of which question+rubric:    {statistics.median(blocks):6.0f} (median)")
    print(f"    of which reference answer: {statistics.median(references):6.0f} (median)")
    print(f"  of which fenced answer:      {statistics.median(answers):6.0f} (median)")
    print(f"  of which reply schema:       {schema:6d} (response_format, labels first; cached)")
    print(
        f"    (to a local server, with the question's ids: "
        f"{statistics.median(local_schemas):.0f}, median)"
    )
    print(
        f"reply per grade, median:       {statistics.median(replies):6.0f} tokens + "
        f"{args.reasoning_tokens} reasoning"
    )
    price = price_for(model)
    if price is None:
        print(f"no price known for {model}")
        return
    print(
        f"prices for {model}: ${price.input}/M in, ${price.cached_input}/M cached, "
        f"${price.output}/M out"
    )
    print(f"one grade:                     ${first:.5f} uncached, ${cached:.5f} with cached prefix")
    print(f"10-question interview:         ${interview:.5f}  (goal < $0.02)")


if __name__ == "__main__":
    main()
