"""`mockaws eval` on the whole labelled set (evals/labels.jsonl) through a real model server.

Either point it at a server that is already running (`--base-url`), or let it start one of the
two the test suite uses, with the model file it uses (the MOCKAWS_TEST_* variables that
`.ci/run` sets; see tests/test_real_servers.py):

    python benchmarks/real_server_eval.py --start llama-server --limit 20
    python benchmarks/real_server_eval.py --base-url http://localhost:11434/v1 --model qwen3:4b

Reports the time per grade, the share of answers graded (the rest with their reasons) and the
agreement with the human labels. With a 135M model the agreement is low: it is reported, not
tuned. The whole set is 182 answers: about an hour at 20 s a grade.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
LABELS = ROOT / "evals" / "labels.jsonl"
MODEL_NAME = "smollm2-135m"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def server_command(kind: str, port: int) -> list[str]:
    model = os.environ["MOCKAWS_TEST_GGUF"]
    if kind == "llama-server":
        return [
            os.environ["MOCKAWS_TEST_LLAMA_SERVER"],
            *("-m", model, "--host", "127.0.0.1", "--port", str(port), "-c", "4096"),
            *("--alias", MODEL_NAME, "--jinja", "-np", "1"),
        ]
    return [
        os.environ["MOCKAWS_TEST_LLAMA_CPP_PYTHON"],
        *("-m", "llama_cpp.server", "--model", model, "--model_alias", MODEL_NAME),
        *("--host", "127.0.0.1", "--port", str(port), "--n_ctx", "4096"),
        *("--n_threads", str(os.cpu_count() or 2)),
    ]


def wait_until_serving(url: str, process: subprocess.Popen[bytes]) -> None:
    for _ in range(360):
        if process.poll() is not None:
            raise SystemExit(f"the server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/models", timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit("the server did not start within 3 minutes")


def subset(limit: int | None, folder: Path) -> Path:
    if limit is None:
        return LABELS
    lines = LABELS.read_text(encoding="utf-8").splitlines()[:limit]
    path = folder / "labels.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def show(
    report: dict[str, Any],
    memory: dict[str, Any],
    server: str,
    url: str,
    model: str,
    elapsed: float,
) -> None:
    """Time per grade, share graded, agreement, and why the others were not graded."""
    # With nothing graded there is no agreement to report, only the reasons.
    overall = report["splits"].get("all") or {"answers": len(report["failures"]), "graded": 0}
    answers, graded = overall["answers"], overall["graded"]
    print(f"server:            {server}")
    print(f"request shape:     {memory.get(url, {}).get(model) or 'nothing learnt'}")
    print(f"answers:           {answers}, graded {graded} ({graded / answers:.0%})")
    print(f"wall time:         {elapsed:.0f} s, {elapsed / answers:.1f} s per answer")
    usage = report.get("usage") or {}
    if usage:
        print(
            f"latency per grade: mean {usage['latency_mean_s']:.1f} s, "
            f"p95 {usage['latency_p95_s']:.1f} s"
        )
    print(f"rating exact:      {overall.get('rating_exact')}")
    print(f"point kappa:       {overall.get('point_kappa')}")
    reasons: dict[str, int] = {}
    for failure in report["failures"]:
        reason = failure.split(": ", 1)[-1][:90]
        reasons[reason] = reasons.get(reason, 0) + 1
    for reason, count in sorted(reasons.items(), key=lambda item: -item[1]):
        print(f"  not graded x{count}: {reason}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--base-url", help="a running OpenAI-compatible server")
    where.add_argument("--start", choices=["llama-server", "llama-cpp-python"])
    parser.add_argument("--model", default=MODEL_NAME, help="model name to ask for")
    parser.add_argument("--limit", type=int, help="only the first N labelled answers")
    parser.add_argument("--concurrency", type=int, default=1)
    args = parser.parse_args()

    process: subprocess.Popen[bytes] | None = None
    url = args.base_url
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        if args.start:
            port = free_port()
            url = f"http://127.0.0.1:{port}/v1"
            log = (folder / "server.log").open("wb")
            process = subprocess.Popen(
                server_command(args.start, port), stdout=log, stderr=subprocess.STDOUT
            )
            wait_until_serving(url, process)
        env = {
            **os.environ,
            "MOCKAWS_HOME": str(folder / "home"),
            "OPENAI_BASE_URL": url,
            "MOCKAWS_MODEL": args.model,
        }
        labels = subset(args.limit, folder)
        command = [sys.executable, "-m", "mockaws", "eval", str(labels), "--grader", "openai"]
        command += ["--json", "-c", str(args.concurrency)]
        started = time.perf_counter()
        try:
            result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
        finally:
            if process is not None:
                process.terminate()
                try:  # llama-cpp-python ignores SIGTERM while it is generating
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
        elapsed = time.perf_counter() - started
        if result.returncode != 0:
            raise SystemExit(f"mockaws eval failed ({result.returncode}): {result.stderr.strip()}")
        report = json.loads(result.stdout)
        servers = folder / "home" / "servers.json"
        memory = json.loads(servers.read_text()) if servers.is_file() else {}
    show(report, memory, f"{args.start or url} ({args.model})", url, args.model, elapsed)


if __name__ == "__main__":
    main()
