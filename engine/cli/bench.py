"""``lanterna-engine bench``: the worker pipeline against a raw llama-cpp-python loop.

Both sides run the same model, context, threads, sampling and prompts in the same run, round
by round in turn (never at once: they would fight for the same cores). Each round uses a new
prompt so that time to first token includes processing the prompt, and a fixed number of tokens
is decoded (end-of-generation is ignored) so both sides decode the same amount.

- raw: ``Llama.generate`` in this process, collecting token ids.
- worker: ``EngineClient`` → worker process → prompt rendering, the same token loop, detokenizing,
  routing, coalescing, JSON over the pipe → events back in this process.

``--reasoning filtered`` measures the moderation filter on the worker side: every reasoning
sentence is screened as it streams. On a model that does not reason, ``--think-template`` wraps
its output in an open ``<think>`` block (a chat-template override given to both sides), so every
token it writes is reasoning and goes through the filter — the heaviest load the filter can get.

Decode tokens/s counts tokens after the first over the time from the first token to the last;
the ratio and the TTFT difference are medians over pairs of rounds run back to back;
time to first token runs from the request to the first sampled token (for the worker, to the
arrival of its ``started`` event, sent as that token is sampled).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from engine import protocol as p
from engine.backends.kv_cache import FLASH_ATTENTION, use_full_swa_cache
from engine.backends.llamacpp import default_threads
from engine.cli.common import (
    CliError,
    context_length,
    resolve_model,
    start_and_load,
    thread_count,
    worker_failure,
)
from engine.client import EngineClient, WorkerExited
from engine.conversation import ChatMessage
from engine.moderation.pipeline import parse_layers
from engine.moderation.stream import DISPLAY_MODES
from engine.prompting import build_prompt, default_sampling, facts_from_header

# A plain transcript whose answer opens a <think> block the model never closes.
THINK_TEMPLATE = (
    "{{ bos_token }}{% for m in messages %}{{ m.role | capitalize }}: {{ m.content }}\n"
    "{% endfor %}{% if add_generation_prompt %}Assistant: <think>\n{% endif %}"
)

PROMPTS = (
    "Explain how a lighthouse lens concentrates light.",
    "Write a short story about a lantern that learns to read.",
    "List the planets of the solar system with one fact each.",
    "Describe how bread rises, step by step.",
    "What makes a good cup of coffee? Explain in detail.",
)


@dataclass(frozen=True)
class Round:
    ttft_ms: float
    decode_tps: float
    tokens: int


def add_parser(sub: Any) -> None:
    ap: argparse.ArgumentParser = sub.add_parser(
        "bench", help="decode speed of the worker pipeline against raw llama-cpp-python"
    )
    ap.add_argument("--model", help="a .gguf file (default: the bundled demo model)")
    ap.add_argument("--tokens", type=int, default=128, help="tokens decoded per round")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--ctx", type=context_length, default=2048)
    ap.add_argument("--threads", type=thread_count)
    ap.add_argument("--json", action="store_true")
    ap.add_argument(
        "--reasoning",
        choices=DISPLAY_MODES,
        default="hidden",
        help="display mode on the worker side (filtered: the moderation filter runs)",
    )
    ap.add_argument("--layers", default="lexical,pii", help="moderation layers when filtering")
    ap.add_argument(
        "--think-template",
        action="store_true",
        help="treat everything the model writes as reasoning (for models that do not reason)",
    )
    ap.set_defaults(func=run)


def _prompts(rounds: int) -> list[str]:
    # One warm-up plus the measured rounds, each distinct so no prompt is fully cached.
    return [f"({i}) {PROMPTS[i % len(PROMPTS)]}" for i in range(rounds + 1)]


class _WorkerSide:
    """The whole pipeline: client → worker process → events back."""

    def __init__(self, model: str, args: argparse.Namespace, threads: int) -> None:
        self.tokens = args.tokens
        self.reasoning = args.reasoning
        self.layers = parse_layers(args.layers)
        self.segments = 0
        self.client = EngineClient()
        try:
            start_and_load(
                self.client,
                Path(model),
                n_ctx=args.ctx,
                n_threads=threads,
                chat_template=THINK_TEMPLATE if args.think_template else None,
                # The raw side runs the installed CPU build in this process: like with like.
                gpu_backend="cpu",
            )
        except BaseException:
            self.client.shutdown()
            raise

    def round(self, prompt: str) -> Round:
        client = self.client
        t0 = time.perf_counter()
        req = client.generate(
            [ChatMessage("user", prompt)],
            max_tokens=self.tokens,
            seed=1,
            ignore_eos=True,
            reasoning=self.reasoning,
            moderation=self.layers,
        )
        first: float | None = None
        result: Round | None = None
        while True:
            ev = client.next_event(600)
            now = time.perf_counter()
            if isinstance(ev, p.Error | WorkerExited):
                raise worker_failure(ev)
            if getattr(ev, "req", None) != req:
                continue
            if isinstance(ev, p.Started):
                first = now
            if isinstance(ev, p.Reasoning) and ev.text is not None:
                self.segments += 1
            if isinstance(ev, p.Done):
                start = first if first is not None else now
                tps = (ev.completion_tokens - 1) / (now - start) if now > start else 0.0
                result = Round((start - t0) * 1000.0, tps, ev.completion_tokens)
                if not ev.summary_pending:
                    return result
            if isinstance(ev, p.ReasoningSummary) and result is not None:
                # The summary is written after the answer: not timed, but waited for, so it
                # does not delay the next round.
                return result

    def close(self) -> None:
        self.client.shutdown()


class _RawSide:
    """``Llama.generate`` in this process on the same prompt text and sampling."""

    def __init__(self, model: str, args: argparse.Namespace, threads: int) -> None:
        import llama_cpp

        self.tokens = args.tokens
        self.facts = facts_from_header(resolve_model(model))
        if args.think_template:
            self.facts = replace(self.facts, chat_template=THINK_TEMPLATE)
        self.llm = llama_cpp.Llama(
            model_path=model,
            n_ctx=args.ctx,
            n_batch=512,
            n_ubatch=512,
            n_threads=threads,
            n_threads_batch=threads,
            # The same context layout as the worker's backend, so both sides do the same work.
            flash_attn=FLASH_ATTENTION,
            swa_full=use_full_swa_cache(args.ctx),
            verbose=False,
        )

    def round(self, prompt: str) -> Round:
        llm = self.llm
        plan = build_prompt(self.facts, [ChatMessage("user", prompt)])
        s = default_sampling(plan.format, seed=1)
        t0 = time.perf_counter()
        tokens = llm.tokenize(plan.text.encode("utf-8"), add_bos=plan.add_bos, special=True)
        llm.set_seed(1)
        first = last = 0.0
        n = 0
        for _ in llm.generate(
            tokens,
            temp=s.temperature,
            top_p=s.top_p,
            top_k=s.top_k,
            min_p=s.min_p,
            typical_p=1.0,
            repeat_penalty=1.0,
        ):
            last = time.perf_counter()
            if n == 0:
                first = last
            n += 1
            if n >= self.tokens:
                break
        tps = (n - 1) / (last - first) if last > first else 0.0
        return Round((first - t0) * 1000.0, tps, n)

    def close(self) -> None:
        self.llm.close()


def _measure(
    model: str, args: argparse.Namespace, threads: int
) -> tuple[list[Round], list[Round], int]:
    """Alternate worker and raw rounds (and which goes first) so drift in machine load, clock
    speed or caches falls on both sides alike. Both hold the model at once; the weights are
    memory-mapped, so the two processes share one copy in the page cache."""
    worker = _WorkerSide(model, args, threads)
    raw: _RawSide | None = None
    try:
        raw = _RawSide(model, args, threads)
        worker_rounds: list[Round] = []
        raw_rounds: list[Round] = []
        for i, prompt in enumerate(_prompts(args.rounds)):
            if i % 2:
                raw_rounds.append(raw.round(prompt))
                worker_rounds.append(worker.round(prompt))
            else:
                worker_rounds.append(worker.round(prompt))
                raw_rounds.append(raw.round(prompt))
        # The first round warms up.
        return worker_rounds[1:], raw_rounds[1:], worker.segments
    finally:
        worker.close()
        if raw is not None:
            raw.close()


def run(args: argparse.Namespace) -> int:
    if args.tokens < 2 or args.rounds < 1:
        raise CliError("--tokens must be at least 2 and --rounds at least 1")
    header = resolve_model(args.model)
    model = str(header.path)
    threads = args.threads or default_threads()
    try:
        parse_layers(args.layers)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    worker, raw, segments = _measure(model, args, threads)

    def med(rs: list[Round], attr: str) -> float:
        return float(statistics.median(getattr(r, attr) for r in rs))

    result = {
        "model": header.name,
        "threads": threads,
        "ctx": args.ctx,
        "tokens": args.tokens,
        "rounds": args.rounds,
        "reasoning": args.reasoning,
        "filtered_segments": segments,
        "raw_decode_tps": round(med(raw, "decode_tps"), 2),
        "worker_decode_tps": round(med(worker, "decode_tps"), 2),
        "raw_ttft_ms": round(med(raw, "ttft_ms"), 2),
        "worker_ttft_ms": round(med(worker, "ttft_ms"), 2),
    }
    # Ratios of rounds run back to back, then their median: the machine's speed drifts by a few
    # percent over a run, and pairing neighbours cancels most of that drift.
    ratios = [w.decode_tps / r.decode_tps for w, r in zip(worker, raw, strict=True) if r.decode_tps]
    deltas = [w.ttft_ms - r.ttft_ms for w, r in zip(worker, raw, strict=True)]
    result["decode_ratio"] = round(statistics.median(ratios), 4) if ratios else 0.0
    result["ttft_delta_ms"] = round(statistics.median(deltas), 2)
    if args.json:
        print(json.dumps(result))
        return 0
    out = sys.stdout
    out.write(
        f"model {result['model']} · ctx {args.ctx} · {threads} threads · "
        f"{args.tokens} tokens × {args.rounds} rounds (medians) · reasoning {args.reasoning}"
        + (f" ({segments} segments filtered)" if args.reasoning == "filtered" else "")
        + "\n"
    )
    out.write(f"{'':28}{'decode tok/s':>14}{'TTFT ms':>12}\n")
    out.write(
        f"{'raw llama-cpp-python':28}{result['raw_decode_tps']:>14.2f}"
        f"{result['raw_ttft_ms']:>12.1f}\n"
    )
    out.write(
        f"{'worker pipeline':28}{result['worker_decode_tps']:>14.2f}"
        f"{result['worker_ttft_ms']:>12.1f}\n"
    )
    out.write(
        f"{'worker / raw':28}{result['decode_ratio']:>14.3f}{result['ttft_delta_ms']:>+12.1f}\n"
    )
    return 0
