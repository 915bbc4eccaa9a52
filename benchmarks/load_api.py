"""Load test of the REST service: throughput and latency at 1, 8 and 32 concurrent clients.

Starts ``assessqa serve`` on 127.0.0.1 (loopback only, never another address) with a throwaway API key and
the rate limit off, then drives ``POST /v1/score`` with an async httpx client: each client sends ~880-word
documents (held-out test-split text, as score_speed.py uses) back to back for a fixed time. Prints the
machine, then per concurrency level: requests, throughput, p50/p95/p99 latency and errors (any answer but
200, or a failed connection). Usage, from the repository root:

    python3 benchmarks/load_api.py [--duration 15] [--concurrency 1,8,32] [--workers 1] [--processes 2] [--threads 1] [--repeat 3] [--words 880]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from score_speed import documents_of_about, machine

def marks(name: str) -> tuple[str, str]:
    """The comment lines a generated table sits between in the README (``--table`` names one of several)."""
    return (
        f"<!-- {name}:start (written by benchmarks/load_api.py --readme; do not edit by hand) -->",
        f"<!-- {name}:end -->",
    )
HOST = "127.0.0.1"  # fixed: a load test must never send case-like traffic off this machine


@dataclass
class Run:
    clients: int
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    errors: int = 0

    def percentile(self, p: int) -> float:
        if len(self.latencies) < 2:
            return self.latencies[0] if self.latencies else float("nan")
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[p - 1]

    def row(self) -> str:
        done = len(self.latencies)
        return (
            f"{self.clients:>7} {done + self.errors:>9} {done / self.seconds:>10.1f} "
            f"{1000 * self.percentile(50):>8.0f} {1000 * self.percentile(95):>8.0f} {1000 * self.percentile(99):>8.0f} {self.errors:>7}"
        )


def level_markdown(runs: list[Run]) -> str:
    """One table row for a concurrency level measured ``len(runs)`` times: medians, and each run's p95 (a single
    15-second run on a shared 2-core machine moves by tens of milliseconds)."""
    done = [len(r.latencies) for r in runs]
    med = statistics.median
    return (
        f"| {runs[0].clients} | {sum(done) + sum(r.errors for r in runs)} | {med(d / r.seconds for d, r in zip(done, runs)):.1f} | "
        f"{1000 * med(r.percentile(50) for r in runs):.0f} | {1000 * med(r.percentile(95) for r in runs):.0f} | "
        f"{', '.join(f'{1000 * r.percentile(95):.0f}' for r in runs)} | {1000 * med(r.percentile(99) for r in runs):.0f} | "
        f"{sum(r.errors for r in runs)} |"
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def start_server(port: int, key: str, workers: int, threads: int, processes: int, log: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "ASSESSQA_API_KEYS": key,
        "ASSESSQA_RATE_LIMIT_PER_MINUTE": "0",  # measure scoring, not the limiter
        "ASSESSQA_SCORE_THREADS": str(threads),
        "ASSESSQA_SCORE_PROCESSES": str(processes),
    }
    command = [sys.executable, "-m", "assessqa.cli", "serve", "--host", HOST, "--port", str(port), "--workers", str(workers)]
    return subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)


def wait_ready(base: str, process: subprocess.Popen, timeout: float = 120) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the service exited with {process.returncode} before it was ready")
        try:
            response = httpx.get(f"{base}/readyz", timeout=2)
            if response.status_code == 200:
                return response.json()["model_version"]
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    raise SystemExit("the service did not become ready")


async def drive(base: str, key: str, texts: list[str], clients: int, seconds: float) -> Run:
    run = Run(clients)
    headers = {"Authorization": f"Bearer {key}"}
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    next_doc = 0

    async with httpx.AsyncClient(base_url=base, headers=headers, limits=limits, timeout=120) as client:

        async def one_client(deadline: float) -> None:
            nonlocal next_doc
            while time.perf_counter() < deadline:
                text = texts[next_doc % len(texts)]
                next_doc += 1
                start = time.perf_counter()
                try:
                    response = await client.post("/v1/score", json={"text": text})
                    ok = response.status_code == 200
                except httpx.HTTPError:
                    ok = False
                if ok:
                    run.latencies.append(time.perf_counter() - start)
                else:
                    run.errors += 1

        start = time.perf_counter()
        await asyncio.gather(*(one_client(start + seconds) for _ in range(clients)))
        run.seconds = time.perf_counter() - start
    return run


def layout(args: argparse.Namespace) -> str:
    if args.processes:
        return f"{args.workers} worker(s), each in front of {args.processes} scoring process(es)"
    return f"{args.workers} worker(s) x {args.threads} scoring thread(s)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=15.0, help="seconds at each concurrency level")
    parser.add_argument("--concurrency", default="1,8,32", help="comma-separated client counts")
    # One service process in front of one scoring process per core measured best on 2 cores (api/README.md): one
    # queue for every request, and an event loop that never waits for scoring. --processes 0 --workers N measures
    # the other layout, N uvicorn workers each scoring on its own threads.
    parser.add_argument("--workers", type=int, default=1, help="service worker processes")
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 1, help="scoring processes per worker (ASSESSQA_SCORE_PROCESSES)")
    parser.add_argument("--threads", type=int, default=1, help="scoring threads per worker (ASSESSQA_SCORE_THREADS)")
    parser.add_argument("--words", type=int, default=880)
    parser.add_argument("--docs", type=int, default=2000, help="different documents to cycle through (enough that no text is sent twice in a run: a repeated text finds the caches warm)")
    parser.add_argument("--readme", type=Path, default=None, help="rewrite the generated table between the markers in this file (api/README.md)")
    parser.add_argument("--repeat", type=int, default=3, help="runs at each concurrency level; the table gives medians and each run's p95")
    parser.add_argument("--table", default="load-figures", help="which generated table of --readme to rewrite (the name in its markers)")
    args = parser.parse_args()

    texts = documents_of_about(args.words, args.docs)
    key = secrets.token_urlsafe(32)
    port = free_port()
    base = f"http://{HOST}:{port}"
    print(f"machine: {machine()}")
    print(f"documents: {len(texts)} of ~{statistics.mean(len(t.split()) for t in texts):.0f} words "
          f"(~{statistics.mean(len(t) for t in texts):.0f} characters)")
    with tempfile.TemporaryFile() as log:
        process = start_server(port, key, args.workers, args.threads, args.processes, log.fileno())
        try:
            version = wait_ready(base, process)
            print(f"service: {base}, {layout(args)}, model {version}")
            warm = asyncio.run(drive(base, key, texts, clients=2, seconds=2))  # warm every worker
            print(f"\n{'clients':>7} {'requests':>9} {'req/s':>10} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7}")
            runs = []
            sent = len(warm.latencies) + warm.errors
            for clients in (int(c) for c in args.concurrency.split(",")):
                level = []
                for _ in range(args.repeat):
                    # Each run goes on from the documents the last one stopped at: a text comes round again only
                    # after all the others, long after any cache has let it go.
                    texts = texts[sent % len(texts) :] + texts[: sent % len(texts)]
                    level.append(asyncio.run(drive(base, key, texts, clients, args.duration)))
                    sent = len(level[-1].latencies) + level[-1].errors
                    print(level[-1].row(), flush=True)
                runs.append(level)
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(60)
            except subprocess.TimeoutExpired:
                process.kill()
    if args.readme:
        mark_start, mark_end = marks(args.table)
        table = "\n".join(
            [
                mark_start,
                f"Model `{version}`, {machine()}; `python3 benchmarks/load_api.py` with {layout(args)}, "
                f"{args.repeat} run(s) of {args.duration:g} s per level (medians, and each run's p95), ~{args.words}-word documents.",
                "",
                "| clients | requests | req/s | p50 ms | p95 ms | p95 ms in each run | p99 ms | errors |",
                "|---:|---:|---:|---:|---:|---:|---:|---:|",
                *(level_markdown(level) for level in runs),
                mark_end,
            ]
        )
        text = args.readme.read_text(encoding="utf-8")
        head, rest = text.split(mark_start, 1)
        args.readme.write_text(head + table + rest.split(mark_end, 1)[1], encoding="utf-8")


if __name__ == "__main__":
    main()
