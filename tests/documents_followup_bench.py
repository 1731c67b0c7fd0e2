"""Time to first token of follow-up questions about a long attached document.

    python -m tests.documents_followup_bench [--tokens 20000] [--follow-ups 3] [--ctx 32768]
                                             [--model PATH]

One conversation with a document of about ``--tokens`` tokens attached (real text: Python's
documentation sources from Debian's python3-doc, or Debian's licences), and the same
conversation without it, both on the bundled demo model in a real worker. Each asks the same
first question and then the same follow-ups, with the same earlier answers (fixed text, so both
conversations read the same new tokens at every turn); every follow-up's time to first token is
printed for both, with their ratio. The worker reuses the cached prefix of the conversation,
document included, so a follow-up reads only the last answer and the new question: the ratio
shows what the document still costs (attention over a longer context), not its re-reading,
which the first question's time shows. Last, the app's way: the prompt is read ahead as the
app does while the question is written (``engine.protocol.ReadAhead``), then the question is
sent; first the first question, then the same follow-ups, twice: with the question but its last
word read ahead (Send pressed right after the last keystroke) and with the whole question read
ahead (Send after a pause in the typing). Their times to first token are what the user waits
after Send, compared with the follow-ups of the conversation without the document (which the
app does not read ahead: without documents there is little to read). Last, the common case of a
question that ends with "?" and Enter pressed a keystroke later: the app asks for the whole
question to be read 30 ms after the "?", and Send cancels that reading if it is still under way;
this one is timed on the wall clock from Send to the first token, for both conversations.

The raw library is measured in the same run: llama-cpp-python alone reads the same number of
new tokens after the document's tokens and after a short prefix, with the worker's context
settings; its ratio is the floor that attention over the longer context sets on this machine.

``--model`` measures another GGUF instead of the demo model, for example the random-weight
model with gpt-oss-20b's shapes that ``python -m tests.support.full_size_gptoss PATH`` writes
(about 12 GB; on two CPU cores each reading of the document takes about 20 minutes).

Time to first token is the worker's own figure (``Done.ttft_ms``): from the request's arrival
to the first sampled token, rendering, tokenizing and the document lookup included.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from desktop.read_ahead import WORD_DELAY_MS
from engine import protocol as p
from engine.client import EngineClient, WorkerExited
from engine.conversation import ChatMessage
from engine.documents.attach import attach, open_index
from engine.models.demo import ensure_demo_model
from tests.support.document_files import licence_lines
from tests.support.events import collect, done_of, load

PYTHON_LIBRARY = Path("/usr/share/doc/python3.11/html/_sources/library")
SOURCES = ("functools", "itertools", "collections", "contextlib", "dataclasses", "enum")

FIRST = "What does the maxsize argument of functools.lru_cache do?"
ANSWER = "The documentation explains it in the section about that function."
FOLLOW_UPS = (
    "And what changes when typed is true?",
    "How do I clear that cache?",
    "Which function would I use to make a running total of a list?",
    "What is a defaultdict for?",
)


def chars_per_token(model: Path, text: str) -> float:
    """How many characters of ``text`` the model's tokenizer puts in one token."""
    import llama_cpp

    vocab = llama_cpp.Llama(model_path=str(model), vocab_only=True, verbose=False)
    try:
        sample = text[:40_000]
        return len(sample) / max(1, len(vocab.tokenize(sample.encode(), add_bos=False)))
    finally:
        vocab.close()


def source_text() -> tuple[str, str]:
    """Real text to cut documents from, and where it came from."""
    parts: list[str] = []
    where = "Debian's licences"
    if PYTHON_LIBRARY.is_dir():
        where = f"Python documentation sources ({PYTHON_LIBRARY})"
        for name in SOURCES:
            path = PYTHON_LIBRARY / f"{name}.rst.txt"
            if path.is_file():
                parts.append(f"# {name}\n\n{path.read_text('utf-8')}")
    return "\n\n".join(parts) or "\n".join(licence_lines() * 20), where


def document(folder: Path, tokens: int, model: Path) -> tuple[Path, str]:
    """A Markdown file of about ``tokens`` of the model's tokens of real text, and where it
    came from."""
    text, where = source_text()
    want = int(tokens * chars_per_token(model, text))
    while len(text) < want:
        text += "\n\n" + text
    out = folder / "reference.md"
    out.write_text(text[:want], encoding="utf-8")
    return out, where


KEY_MS = 120  # a steady typist's time between two keys: the closing "?" and Enter


@dataclass
class Turns:
    dones: list[p.Done] = field(default_factory=list)
    # Wall-clock milliseconds from Send to the first token arriving in the client.
    waits: list[float] = field(default_factory=list)
    plan: p.DocumentsPlan | None = None


def run_conversation(
    client: EngineClient,
    documents: list[dict[str, object]],
    index: str | None,
    turns: int,
    ahead: str | None = None,
) -> Turns:
    """``ahead``: before each follow-up, read ahead its prompt as the app does while it is
    written: with the question but its last word (``"typing"``: Send pressed before the pause
    in the typing that would have the last word read), with the whole question (``"paused"``),
    or as the app does when the question ends with "?" (``"mark"``: every word read, then the
    whole question asked for ``WORD_DELAY_MS`` after the "?", and Send a keystroke after the
    "?", cancelling that reading if it is still under way)."""
    messages = [ChatMessage("user", FIRST)]
    out = Turns()
    for turn in range(turns + 1):
        if ahead and turn > 0:
            written = messages[-1].content
            draft = written if ahead == "paused" else but_last_word(written)
            start = [*messages[:-1], ChatMessage("user", draft)]
            events = collect(client, client.read_ahead(start, documents=documents,
                                                        documents_index=index))  # fmt: skip
            assert isinstance(events[-1], p.ReadAheadDone), events[-1]
        if ahead == "mark" and turn > 0:
            assert messages[-1].content.endswith("?")
            reading = client.read_ahead(messages, documents=documents, documents_index=index)
            time.sleep((KEY_MS - WORD_DELAY_MS) / 1000)
            sent = time.perf_counter()
            client.cancel(reading)  # as Send does: what was read stays in the cache
        else:
            sent = time.perf_counter()
        req = client.generate(messages, max_tokens=24, temperature=0.0, seed=1,
                              documents=documents, documents_index=index)  # fmt: skip
        events, first = collect_timed(client, req)
        out.plan = out.plan or next((e for e in events if isinstance(e, p.DocumentsPlan)), None)
        out.dones.append(done_of(events))
        out.waits.append((first - sent) * 1000)
        if turn < turns:
            messages += [
                ChatMessage("assistant", ANSWER),
                ChatMessage("user", FOLLOW_UPS[turn % len(FOLLOW_UPS)]),
            ]
    return out


def collect_timed(client: EngineClient, req: int) -> tuple[list[p.Message | WorkerExited], float]:
    """The events of ``req`` up to its Done, and when its first token arrived (perf_counter)."""
    events: list[p.Message | WorkerExited] = []
    first = 0.0
    while True:
        ev = client.next_event(1800)
        if isinstance(ev, WorkerExited):
            return [*events, ev], first
        if getattr(ev, "req", None) != req:
            continue  # a cancelled reading's last events
        events.append(ev)
        if isinstance(ev, p.Text) and not first:
            first = time.perf_counter()
        if isinstance(ev, p.Done | p.Error):
            return events, first or time.perf_counter()


def app_table(dones: list[p.Done], without: list[p.Done], how: str) -> None:
    print(f"follow-ups in the app, the last answer and {how} read ahead while it is written:")
    print(f"{'follow-up':>9}  {'with doc (ms)':>13}  {'new':>5}  {'without (ms)':>12}  "
          f"{'ratio':>6}")  # fmt: skip
    pairs = list(zip(dones[1:], without[1:], strict=True))
    ratios = [ttft_ratio(a, b) for a, b in pairs]
    for n, ((a, b), ratio) in enumerate(zip(pairs, ratios, strict=True), 1):
        print(f"{n:>9}  {a.ttft_ms:>13,.1f}  {a.prompt_tokens - a.cached_tokens:>5}  "
              f"{b.ttft_ms:>12,.1f}  {ratio:>6.2f}")  # fmt: skip
    print(f"median ratio, the app's follow-up with the document / without (no read-ahead, as "
          f"in a chat without documents): {statistics.median(ratios):.2f}, "
          f"highest {max(ratios):.2f}")  # fmt: skip


def waits_table(waits: list[float], without: list[float]) -> None:
    print('follow-ups in the app, the question ending with "?" and Send one keystroke later '
          f"({KEY_MS} ms), wall-clock from Send to the first token:")  # fmt: skip
    print(f"{'follow-up':>9}  {'with doc (ms)':>13}  {'without (ms)':>12}  {'ratio':>6}")
    ratios = [a / b for a, b in zip(waits[1:], without[1:], strict=True)]
    for n, (a, b, ratio) in enumerate(zip(waits[1:], without[1:], ratios, strict=True), 1):
        print(f"{n:>9}  {a:>13,.1f}  {b:>12,.1f}  {ratio:>6.2f}")
    print(f"median ratio, with the document / without (no read-ahead): "
          f"{statistics.median(ratios):.2f}, highest {max(ratios):.2f}")  # fmt: skip


def ttft_ratio(a: p.Done, b: p.Done) -> float:
    return a.ttft_ms / b.ttft_ms if b.ttft_ms else float("inf")


def but_last_word(text: str) -> str:
    return text.rsplit(" ", 1)[0]


def read_ahead_first(
    client: EngineClient, documents: list[dict[str, object]], index: str
) -> tuple[p.ReadAheadDone, p.Done]:
    """The document and the first question but its last word read ahead while it is written,
    then that question."""
    draft = [ChatMessage("user", but_last_word(FIRST))]
    events = collect(client, client.read_ahead(draft, documents=documents, documents_index=index),
                     timeout=1800)  # fmt: skip
    ahead = events[-1]
    assert isinstance(ahead, p.ReadAheadDone), ahead
    req = client.generate([ChatMessage("user", FIRST)], max_tokens=24, temperature=0.0, seed=1,
                          documents=documents, documents_index=index)  # fmt: skip
    return ahead, done_of(collect(client, req, timeout=1800))


def raw_ratio(model: Path, text: str, n_ctx: int, new: int, prefix: int) -> tuple[float, float]:
    """Seconds llama-cpp-python alone takes to read ``new`` tokens after ``prefix`` tokens of
    the document, and after 300: the same work as a follow-up, without the worker."""
    import llama_cpp

    from engine.backends.kv_cache import FLASH_ATTENTION, use_full_swa_cache
    from engine.backends.llamacpp import default_threads

    llm = llama_cpp.Llama(
        model_path=str(model), n_ctx=n_ctx, n_batch=512, flash_attn=FLASH_ATTENTION,
        swa_full=use_full_swa_cache(n_ctx), n_threads=default_threads(), verbose=False,
    )  # fmt: skip
    tokens = llm.tokenize(text.encode(), add_bos=True)
    tokens = (tokens * (prefix // len(tokens) + 2))[: prefix + new]
    times = []
    for start in (prefix, 300):
        llm.reset()
        llm.eval(tokens[:start])
        t0 = time.perf_counter()
        llm.eval(tokens[start : start + new])
        times.append(time.perf_counter() - t0)
    return times[0], times[1]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tokens", type=int, default=20_000, help="document size to aim for")
    ap.add_argument("--follow-ups", type=int, default=3)
    ap.add_argument("--ctx", type=int, default=32768, help="context length of the model")
    ap.add_argument("--no-raw", action="store_true", help="skip the raw library's measure")
    ap.add_argument("--model", type=Path, help="a GGUF to measure (default: the demo model)")
    args = ap.parse_args(argv)
    model = args.model or ensure_demo_model()
    with tempfile.TemporaryDirectory(prefix="lanterna-followup-") as tmp:
        doc, where = document(Path(tmp), args.tokens, model)
        index_path = Path(tmp) / "documents.sqlite3"
        with open_index(index_path) as index:
            attached = attach(str(doc), index)
        client = EngineClient()
        client.start()
        try:
            load(client, model, n_ctx=args.ctx)
            docs = [{"path": attached.path, "message": 0}]
            with_doc_turns = run_conversation(client, docs, str(index_path), args.follow_ups)
            with_doc, plan = with_doc_turns.dones, with_doc_turns.plan
            without_turns = run_conversation(client, [], None, args.follow_ups)
            without = without_turns.dones
            ahead, after = read_ahead_first(client, docs, str(index_path))
            typing, paused, mark = (
                run_conversation(client, docs, str(index_path), args.follow_ups, ahead=mode)
                for mode in ("typing", "paused", "mark")
            )
        finally:
            client.shutdown()
        text = doc.read_text("utf-8")
    assert plan is not None
    print(f"model: {model.name}, context {args.ctx} tokens")
    print(f"document: {attached.name}, {plan.tokens:,} prompt tokens "
          f"({plan.strategy}), text from {where}")  # fmt: skip
    first = with_doc[0]
    print(f"first question with the document: TTFT {first.ttft_ms:,.0f} ms "
          f"({first.prompt_tokens:,} prompt tokens, {first.cached_tokens:,} cached); "
          f"without: {without[0].ttft_ms:,.0f} ms")  # fmt: skip
    print(f"first question after the document and its words were read ahead (while it was "
          f"written): TTFT "
          f"{after.ttft_ms:,.0f} ms ({after.prompt_tokens - after.cached_tokens:,} new tokens); "
          f"the read-ahead read {ahead.read:,} tokens in "
          f"{ahead.read_ms / 1000:,.1f} s")  # fmt: skip
    print(f"{'follow-up':>9}  {'with doc (ms)':>13}  {'cached':>7}  {'new':>5}  "
          f"{'without (ms)':>12}  {'new':>5}  {'ratio':>6}")  # fmt: skip
    ratios: list[float] = []
    for n, (a, b) in enumerate(zip(with_doc[1:], without[1:], strict=True), 1):
        ratios.append(ratio := ttft_ratio(a, b))
        print(f"{n:>9}  {a.ttft_ms:>13,.1f}  {a.cached_tokens:>7,}  "
              f"{a.prompt_tokens - a.cached_tokens:>5}  {b.ttft_ms:>12,.1f}  "
              f"{b.prompt_tokens - b.cached_tokens:>5}  {ratio:>6.2f}")  # fmt: skip
    print(f"median follow-up ratio (with / without the document): {statistics.median(ratios):.2f}")
    for turns, how in ((typing, "the question but its last word (Send right after typing)"),
                       (paused, "the whole question (Send after a pause)")):  # fmt: skip
        app_table(turns.dones, without, how)
    waits_table(mark.waits, without_turns.waits)
    if not args.no_raw:
        new = round(statistics.median(a.prompt_tokens - a.cached_tokens for a in with_doc[1:]))
        long, short = raw_ratio(model, text, args.ctx, new, first.prompt_tokens)
        print(f"raw llama-cpp-python, {new} new tokens: after {first.prompt_tokens:,} tokens "
              f"{long * 1000:,.1f} ms, after 300 tokens {short * 1000:,.1f} ms, "
              f"ratio {long / short:.2f}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
