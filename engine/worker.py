"""The worker process: owns one backend and one loaded model, talks JSON lines over stdio.

It runs apart from the app so a crash in native code (a segfault, an OOM kill) cannot take the
window down. Commands arrive on stdin and are read by a thread, so a ``cancel`` is seen while the
main thread is busy decoding; events leave on a private copy of the original stdout, and file
descriptor 1 is pointed at stderr so that anything a native library prints cannot corrupt the
protocol stream.

Raw chain of thought stays in this process: the routers label it ``reasoning`` and the worker
turns it into statistics (tokens, seconds), into segments that passed the moderation filter, or
into a filtered summary, as the request's display mode says (``engine.moderation.stream``). It is
never written to the pipe, stderr or a log.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import queue
import signal
import sqlite3
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import BinaryIO

from engine import protocol as p
from engine.backends import llamacpp_variant
from engine.backends.base import (
    Backend,
    BackendError,
    Cancelled,
    GenerationStats,
    LoadParams,
    ModelFacts,
)
from engine.backends.choice import available_backends, choose_backend, create_backend
from engine.completion import complete, router_for
from engine.conversation import (
    EFFORTS,
    ChatMessage,
    ConversationError,
    ToolCall,
    ToolSpec,
    conversation_from_json,
)
from engine.documents.embedding import GgufEmbedder, load_embedder
from engine.documents.index import EmbeddingCancelled, Hit
from engine.documents.search_tool import (
    LIMIT_TEXT,
    MAX_CALLS,
    TOOL_NAME,
    ToolArgumentsError,
    error_text,
    parse_arguments,
    result_text,
)
from engine.documents.session import DocumentLibrary, Prepared, parse_refs
from engine.harmony import tokens as ht
from engine.harmony.tokens import misplaced_markers
from engine.launcher import NICE_ENV
from engine.moderation.guard import GuardModel, load_guard
from engine.moderation.lexicon import Lexicon, LexiconError
from engine.moderation.pipeline import FilteredSegment, Moderator, parse_layers
from engine.moderation.stream import DISPLAY_MODES, DisplayMode, ReasoningStream
from engine.moderation.summary import SUMMARY_MAX_TOKENS, filter_text, summary_messages
from engine.prompting import (
    PromptPlan,
    build_prompt,
    default_sampling,
    is_date,
    prompt_format,
    supports_effort,
    thinking_switch,
)
from engine.read_ahead import PROBES, last_user_message, shared_start, swap_text, with_text
from engine.routing import Routed
from engine.special_guard import PieceTokenizer, SpecialTextGuard

FRAME_SECONDS = 1 / 60  # coalesce token text to about one event per displayed frame
# A "thinking… 12 s · 430 tokens" counter needs far fewer updates than streaming text, and every
# event wakes the app's process on cores the model is using.
STATS_SECONDS = 1 / 8
PROGRESS_STEP = 0.02
# Opens a final answer: after too many document searches the model is made to answer.
FORCE_FINAL = f"{ht.CHANNEL_TEXT}final{ht.MESSAGE_TEXT}"
# Context a tool chain must keep free to go on searching; with less, the model answers.
ROOM_AFTER_SEARCH = 512


class Coalescer:
    """Collects answer text and sends it at most once per frame, and reasoning statistics at most
    every ``STATS_SECONDS``.

    The first piece of text goes out at once, so coalescing never adds to time to first token;
    pending statistics go out with the next text, so the two never disagree for long.
    """

    def __init__(self, send: Callable[[p.Message], None], req: int) -> None:
        self._send = send
        self.req = req
        self._text: list[str] = []
        self._answer: list[str] = []  # everything sent: the sources read the answer's citations
        self._sent_any = False
        self._last = 0.0
        self._last_stats = 0.0
        self._reasoning_dirty = False
        self.reasoning_tokens = 0
        self.reasoning_started: float | None = None
        self.reasoning_ended: float | None = None

    def add_text(self, text: str) -> None:
        self._text.append(text)
        self._answer.append(text)
        if not self._sent_any:
            self.flush()

    @property
    def answer(self) -> str:
        return "".join(self._answer)

    def add_reasoning_token(self, now: float) -> None:
        if self.reasoning_started is None:
            self.reasoning_started = now
        self.reasoning_ended = now
        self.reasoning_tokens += 1
        self._reasoning_dirty = True

    @property
    def reasoning_seconds(self) -> float:
        if self.reasoning_started is None or self.reasoning_ended is None:
            return 0.0
        return self.reasoning_ended - self.reasoning_started

    def send_now(self, msg: p.Message) -> None:
        """Send ``msg`` after whatever is pending, keeping the order the model produced."""
        self.flush()
        self._send(msg)

    def tick(self, now: float) -> None:
        if now - self._last < FRAME_SECONDS:
            return
        if self._text or now - self._last_stats >= STATS_SECONDS:
            self.flush(now)

    def flush(self, now: float | None = None) -> None:
        self._last = time.perf_counter() if now is None else now
        if self._reasoning_dirty:
            self._reasoning_dirty = False
            self._last_stats = self._last
            self._send(p.Reasoning(self.req, self.reasoning_tokens, self.reasoning_seconds))
        if self._text:
            self._send(p.Text(self.req, "".join(self._text)))
            self._text.clear()
            self._sent_any = True


class Worker:
    def __init__(self, out: BinaryIO, backend_factory: Callable[[str], Backend]) -> None:
        """``backend_factory(name)`` makes an empty backend of that kind ("llamacpp", "mlx")."""
        self._out = out
        self._write_lock = threading.Lock()
        self._backend_factory = backend_factory
        self._backend: Backend | None = None
        self._backend_name = ""
        self._facts: ModelFacts | None = None
        self._guard: SpecialTextGuard | None = None
        self._pieces: PieceTokenizer | None = None
        self._guard_model: GuardModel | None = None
        self._embedder: GgufEmbedder | None = None
        self._lexicon: Lexicon | None = None
        self._documents = DocumentLibrary()
        self._inbox: queue.Queue[p.Message] = queue.Queue()
        self._current = -2  # request being executed; -2: none
        self._cancel = threading.Event()
        self._cancelled_early: set[int] = set()
        self._closing = False
        self._state_lock = threading.Lock()

    # ---------------------------------------------------------------- plumbing

    def send(self, msg: p.Message) -> None:
        data = p.encode(msg)
        with self._write_lock:
            self._out.write(data)
            self._out.flush()

    def read_commands(self, stream: BinaryIO) -> None:
        """Reader thread: cancel and shutdown act at once, other commands queue up."""
        for line in stream:
            if not line.strip():
                continue
            try:
                msg = p.decode(line)
            except p.ProtocolError as exc:
                self.send(p.Error(-1, "protocol", str(exc)))
                continue
            if isinstance(msg, p.Cancel):
                self._request_cancel(msg.req)
            elif isinstance(msg, p.Shutdown):
                self._stop_everything()
                self._inbox.put(msg)
            else:
                self._inbox.put(msg)
        # The client went away: stop what runs, skip what waits, and leave.
        self._stop_everything()
        self._inbox.put(p.Shutdown())

    def _stop_everything(self) -> None:
        with self._state_lock:
            self._closing = True
            self._cancel.set()

    def _request_cancel(self, req: int) -> None:
        with self._state_lock:
            if req == -1 or req == self._current:
                self._cancel.set()
            else:
                self._cancelled_early.add(req)

    def _begin(self, req: int) -> bool:
        """Mark ``req`` as running; False when it was cancelled before it started."""
        with self._state_lock:
            self._current = req
            if self._closing:  # commands queued before a shutdown are not started
                return False
            self._cancel.clear()
            if req in self._cancelled_early:
                self._cancelled_early.discard(req)
                return False
        return True

    def _end(self) -> None:
        with self._state_lock:
            self._current = -2

    def run(self) -> int:
        self.send(p.Ready(pid=os.getpid(), backends=available_backends()))
        while True:
            msg = self._inbox.get()
            if isinstance(msg, p.Shutdown):
                break
            try:
                self._dispatch(msg)
            except Exception as exc:  # keep serving: one bad request must not end the worker
                req = getattr(msg, "req", -1)
                self.send(p.Error(req, "internal", f"{type(exc).__name__}: {exc}"))
            finally:
                self._end()
        if self._backend is not None:
            self._backend.close()
        if self._guard_model is not None:
            self._guard_model.close()
        self._documents.close()
        if self._embedder is not None:
            self._embedder.close()
        return 0

    def _dispatch(self, msg: p.Message) -> None:
        if isinstance(msg, p.LoadModel):
            self._load(msg)
        elif isinstance(msg, p.ReadAhead):  # before Generate: it is one
            self._read_ahead(msg)
        elif isinstance(msg, p.Generate):
            self._generate(msg)
        elif isinstance(msg, p.Unload):
            if self._backend is not None:
                self._backend.close()
            self._facts = None
            self.send(p.Unloaded(msg.req))
        else:
            self.send(p.Error(-1, "protocol", f"unexpected command {msg.type!r}"))

    # ---------------------------------------------------------------- load

    def _load(self, cmd: p.LoadModel) -> None:
        if not self._begin(cmd.req):
            self.send(p.Error(cmd.req, "cancelled", "loading was cancelled"))
            return
        last = -1.0

        def progress(fraction: float) -> bool:
            nonlocal last
            if fraction - last >= PROGRESS_STEP or fraction >= 1.0:
                last = fraction
                self.send(p.LoadProgress(cmd.req, round(fraction, 4)))
            return not self._cancel.is_set()

        t0 = time.perf_counter()
        self._facts = None
        try:
            name = choose_backend(Path(cmd.path), cmd.backend)
            if name == "llamacpp" or cmd.guard_model or cmd.embedding_model:
                self._choose_llama_build(cmd.gpu_backend)
            if self._backend is not None and self._backend_name != name:
                self._backend.close()  # one model per worker: the other kind's goes
                self._backend = None
            if self._backend is None:
                self._backend = self._backend_factory(name)
                self._backend_name = name
            params = LoadParams(
                path=Path(cmd.path),
                n_ctx=cmd.n_ctx,
                n_threads=cmd.n_threads,
                n_batch=cmd.n_batch,
                n_gpu_layers=cmd.n_gpu_layers,
            )
            facts = self._backend.load(params, progress)
        except Cancelled:
            self.send(p.Error(cmd.req, "cancelled", "loading was cancelled"))
            return
        except BackendError as exc:
            self.send(p.Error(cmd.req, exc.kind, str(exc)))
            return
        if cmd.chat_template is not None:
            facts = dataclasses.replace(facts, chat_template=cmd.chat_template or None)
        if prompt_format(facts) == "harmony":
            backend = self._backend
            assert backend is not None
            problem = misplaced_markers(lambda text: backend.tokenize(text, add_bos=False))
            if problem:
                backend.close()
                self.send(p.Error(cmd.req, "bad_model", problem))
                return
        self._facts = facts
        self._guard = SpecialTextGuard(self._backend.special_texts())
        loaded = self._backend
        self._pieces = PieceTokenizer(lambda text, bos: loaded.tokenize(text, add_bos=bos))
        guard_status, guard_message = self._load_guard(cmd)
        embedding_status, embedding_message = self._load_embedder(cmd)
        self.send(
            p.Loaded(
                req=cmd.req,
                path=cmd.path,
                name=facts.name,
                architecture=facts.architecture,
                prompt_format=prompt_format(facts),
                n_ctx=facts.n_ctx,
                n_ctx_train=facts.n_ctx_train,
                supports_effort=supports_effort(facts),
                thinking_switch=thinking_switch(facts),
                load_ms=(time.perf_counter() - t0) * 1000.0,
                backend=name,
                device=facts.device,
                device_name=facts.device_name,
                gpu_layers=facts.gpu_layers,
                device_note=self._device_note(name, facts, cmd.gpu_backend),
                guard=guard_status,
                guard_message=guard_message,
                embedding=embedding_status,
                embedding_message=embedding_message,
            )
        )

    @staticmethod
    def _choose_llama_build(preference: str) -> None:
        """Pick the llama.cpp build (CPU, CUDA, Vulkan) before the first llama.cpp backend of
        this process, the chat model's or the guard's, imports it."""
        try:
            llamacpp_variant.activate(preference)
        except ValueError as exc:
            raise BackendError(str(exc), "bad_request") from None

    @staticmethod
    def _device_note(backend: str, facts: ModelFacts, preference: str) -> str:
        if backend != "llamacpp" or llamacpp_variant.current().preference == preference:
            return facts.device_note
        # The process keeps the native library it loaded first.
        return f"{facts.device_note} (GPU backend {preference!r} applies after a restart)"

    def _load_guard(self, cmd: p.LoadModel) -> tuple[str, str]:
        """Load (or drop) the guard layer's model and say what became of it."""
        if self._guard_model is not None:
            self._guard_model.close()
            self._guard_model = None
        # Guard models are GGUF classifiers: always llama.cpp, whatever runs the chat model.
        result = load_guard(
            cmd.guard_model, lambda: self._backend_factory("llamacpp"), cmd.n_threads
        )
        self._guard_model = result.model
        return result.state, result.message

    def _load_embedder(self, cmd: p.LoadModel) -> tuple[str, str]:
        """Load (or drop, or keep) document search's embedding model and say what became of
        it. It is llama.cpp native code too, so it runs here, never in the app."""
        result = load_embedder(cmd.embedding_model, cmd.n_threads, self._embedder)
        if self._embedder is not None and result.embedder is not self._embedder:
            self._documents.set_embedder(None)
            self._embedder.close()
        self._embedder = result.embedder
        self._documents.set_embedder(result.embedder)
        return result.state, result.message

    # ---------------------------------------------------------------- generate

    @staticmethod
    def request(
        cmd: p.Generate, guard: SpecialTextGuard
    ) -> tuple[list[ChatMessage], list[ToolSpec]]:
        """Validate the request: its messages as sent, and its tools guarded.

        Messages are guarded when rendered, after documents have been put into them: all of it
        comes from outside and must not be able to write control tokens.
        """
        messages = conversation_from_json(cmd.messages)
        if cmd.effort not in EFFORTS:
            raise ConversationError(f"reasoning effort must be one of {', '.join(EFFORTS)}")
        if cmd.max_tokens < 1:
            raise ConversationError("max_tokens must be at least 1")
        if cmd.reasoning not in DISPLAY_MODES:
            raise ConversationError(f"reasoning display must be one of {', '.join(DISPLAY_MODES)}")
        try:
            parse_layers(cmd.moderation)
        except ValueError as exc:
            raise ConversationError(str(exc)) from None
        if cmd.date is not None and not is_date(cmd.date):
            raise ConversationError("the date must be a real date written YYYY-MM-DD")
        tools: list[ToolSpec] = []
        for i, t in enumerate(cmd.tools):
            params = t.get("parameters") if isinstance(t, dict) else None
            if not isinstance(t, dict) or not isinstance(t.get("name"), str):
                raise ConversationError(f"tool {i}: expected an object with a 'name'")
            if params is not None and not isinstance(params, dict):
                raise ConversationError(f"tool {i}: 'parameters' must be a JSON schema object")
            tools.append(
                ToolSpec(
                    guard.protect(t["name"]),
                    guard.protect(str(t.get("description", ""))),
                    None if params is None else guard.protect_value(params),
                )
            )
        if cmd.documents and not cmd.documents_index:
            raise ConversationError("documents need the document index they are in")
        return messages, tools

    @staticmethod
    def render(
        cmd: p.Generate,
        facts: ModelFacts,
        messages: Sequence[ChatMessage],
        tools: Sequence[ToolSpec],
    ) -> PromptPlan:
        """The prompt of ``messages``, which must be guarded already."""
        return build_prompt(
            facts,
            messages,
            effort=cmd.effort,  # type: ignore[arg-type]  # validated by request()
            tools=tools,
            date=cmd.date,
        )

    @staticmethod
    def plan(cmd: p.Generate, facts: ModelFacts, guard: SpecialTextGuard) -> PromptPlan:
        """Validate the request and render its prompt (without documents)."""
        messages, tools = Worker.request(cmd, guard)
        return Worker.render(cmd, facts, guard.protect_messages(messages), tools)

    def _generate(self, cmd: p.Generate) -> None:
        t_start = time.perf_counter()  # time to first token counts rendering and tokenizing too
        model = self._model_for(cmd.req)
        if model is None:
            return
        backend, facts, guard = model
        if not self._begin(cmd.req):
            self._send_done(cmd.req, "cancelled", GenerationStats(), 0, 0.0, 0.0, None, None)
            return
        tokens_of = self._tokenizer()
        try:
            messages, tools = self.request(cmd, guard)
            messages, tools, docs = self._with_documents(
                cmd, facts, guard.protect_messages(messages), tools, tokens_of
            )
            plan = self.render(cmd, facts, messages, tools)
            prompt = tokens_of(plan)
        except (ConversationError, ValueError) as exc:
            self.send(p.Error(cmd.req, "bad_request", str(exc)))
            return
        except EmbeddingCancelled:
            self._send_done(cmd.req, "cancelled", GenerationStats(), 0, 0.0, 0.0, None, None)
            return
        if not self._room(cmd.req, facts, prompt):
            return
        sampling = default_sampling(
            plan.format,
            temperature=cmd.temperature,
            top_p=cmd.top_p,
            top_k=cmd.top_k,
            min_p=cmd.min_p,
            seed=cmd.seed,
        )
        out = Coalescer(self.send, cmd.req)

        def read(done: int, total: int) -> None:
            self.send(p.PromptProgress(cmd.req, "prompt", done, total))

        try:
            reasoning = self._reasoning_stream(cmd, out)
        except LexiconError as exc:
            self.send(p.Error(cmd.req, "moderation", str(exc)))
            return
        stats = GenerationStats()
        t_first = t_last = 0.0
        n = 0
        finish: p.FinishReason = "length"
        searched: list[list[Hit]] = []
        prefill: list[int] = []
        conversation = list(messages)
        while True:
            router = router_for(plan, backend)
            for token in prefill:  # the forced start of a final answer: the router must know
                router.feed(token, backend.piece(token))
            round_stats = stats if n == 0 else GenerationStats()
            thought: list[str] = []
            calls: list[Routed] = []
            budget = min(cmd.max_tokens - n, facts.n_ctx - len(prompt))
            try:
                for token in backend.generate(
                    prompt, sampling, self._cancel.is_set, round_stats, read
                ):
                    now = time.perf_counter()
                    if n == 0:
                        t_first = now
                        self.send(
                            p.Started(
                                cmd.req, stats.prompt_tokens, stats.cached_tokens, stats.prompt_ms
                            )
                        )
                    t_last = now
                    n += 1
                    routed = router.feed(token, backend.piece(token))
                    self._emit(routed, out, reasoning, thought, calls)
                    if router.in_reasoning:
                        out.add_reasoning_token(now)
                    out.tick(now)
                    if router.stop is not None and not cmd.ignore_eos:
                        finish = router.stop
                        break
                    budget -= 1
                    if budget <= 0:
                        finish = "length"
                        break
            except Cancelled:
                finish = "cancelled"
            except BackendError as exc:
                # An error is the request's last event, as for every other failed request; the
                # text sent so far stays with the client as a partial answer.
                reasoning.close(cancelled=True)
                out.flush()
                self.send(p.Error(cmd.req, exc.kind, str(exc)))
                return
            search = next((c for c in calls if c.name == TOOL_NAME), None)
            if finish != "tool_call" or docs is None or search is None:
                if finish == "tool_call" and prefill and not calls:
                    finish = "stop"  # a forced final answer that ended in <|call|>
                break
            # The model searched the documents: answer it and let it go on. Its reasoning so
            # far goes back into the prompt (harmony keeps analysis while a tool chain runs);
            # it never leaves this process.
            assert cmd.documents_index is not None
            result, hits = self._run_search(cmd, docs, search, len(searched))
            searched.append(hits)
            step = guard.protect_messages([
                ChatMessage(
                    "assistant",
                    "",
                    "".join(thought) or None,
                    (ToolCall(search.name, search.text, search.channel or "commentary"),),
                ),
                ChatMessage("tool", result, name=search.name),
            ])
            forced = len(searched) > MAX_CALLS
            try:
                plan, prompt = self._continue(cmd, facts, [*conversation, *step], tools, forced,
                                              tokens_of)  # fmt: skip
                if not forced and facts.n_ctx - len(prompt) < ROOM_AFTER_SEARCH:
                    # No room left to read more passages: the model answers with what it has.
                    step[-1] = dataclasses.replace(step[-1], content=LIMIT_TEXT)
                    forced = True
                    plan, prompt = self._continue(cmd, facts, [*conversation, *step], tools,
                                                  forced, tokens_of)  # fmt: skip
            except ValueError as exc:
                self.send(p.Error(cmd.req, "bad_request", str(exc)))
                return
            conversation += step
            prefill = backend.tokenize(FORCE_FINAL, add_bos=False) if forced else []
            if not self._room(cmd.req, facts, prompt):
                reasoning.close(cancelled=True)
                out.flush()
                return
            finish = "length"
        if finish != "cancelled":
            self._emit(router.finish(), out, reasoning, [], [])
        reasoning.close(cancelled=finish == "cancelled")
        out.flush()
        if docs is not None and finish != "cancelled":
            self._send_sources(cmd, docs, searched, out.answer)
        effort = cmd.effort if plan.format == "harmony" else None
        ttft = (t_first - t_start) * 1000.0 if n else 0.0
        tps = (n - 1) / (t_last - t_first) if n > 1 and t_last > t_first else 0.0
        raw = reasoning.take_raw()
        pending = bool(raw.strip()) and finish != "cancelled"
        self._send_done(cmd.req, finish, stats, n, ttft, tps, out, effort, plan.thinking, pending)
        if pending:
            self._summarize(cmd, backend, facts, raw)

    def _model_for(self, req: int) -> tuple[Backend, ModelFacts, SpecialTextGuard] | None:
        """The loaded model for request ``req``, or None after telling the client there is none."""
        backend, facts, guard = self._backend, self._facts, self._guard
        if backend is None or facts is None:
            self.send(p.Error(req, "no_model", "no model is loaded"))
            return None
        assert guard is not None  # set with the model facts
        return backend, facts, guard

    def _tokenizer(self) -> Callable[[PromptPlan], list[int]]:
        """Tokens of a rendered prompt, for one request. Documents are measured while the
        strategy is chosen: the chosen prompt is not tokenized twice, and the documents' own
        pieces are kept from turn to turn (``PieceTokenizer``)."""
        pieces = self._pieces
        assert pieces is not None  # set with the model facts
        rendered: dict[str, list[int]] = {}

        def tokens_of(plan: PromptPlan) -> list[int]:
            cached = rendered.get(plan.text)
            if cached is None:
                cached = SpecialTextGuard.tokenize(plan.text, pieces, plan.add_bos)
                rendered.clear()
                rendered[plan.text] = cached
            return cached

        return tokens_of

    def _with_documents(
        self,
        cmd: p.Generate,
        facts: ModelFacts,
        messages: list[ChatMessage],
        tools: list[ToolSpec],
        tokens_of: Callable[[PromptPlan], list[int]],
    ) -> tuple[list[ChatMessage], list[ToolSpec], Prepared | None]:
        """The guarded conversation with its attached documents in place, whole or as passages
        (announced with a DocumentsPlan event); unchanged when nothing is attached."""
        if not cmd.documents:
            return messages, tools, None
        assert cmd.documents_index is not None  # checked by request()
        assert self._guard is not None

        def measure(msgs: Sequence[ChatMessage], tls: Sequence[ToolSpec]) -> int:
            return len(tokens_of(self.render(cmd, facts, msgs, tls)))

        docs = self._documents.prepare(
            messages,
            parse_refs(cmd.documents, messages),
            cmd.documents_index,
            n_ctx=facts.n_ctx,
            max_tokens=cmd.max_tokens,
            tools=tools,
            offer_tool=prompt_format(facts) == "harmony",
            measure=measure,
            block=self._guard.protect_block,
            cancelled=self._cancel.is_set,
            progress=lambda done, total: self.send(
                p.PromptProgress(cmd.req, "passages", done, total)
            ),
        )
        self.send(
            p.DocumentsPlan(
                cmd.req,
                docs.strategy,
                docs.documents,
                docs.tokens,
                docs.budget,
                tool=any(t.name == TOOL_NAME for t in docs.tools),
                missing=docs.missing,
            )
        )
        return docs.messages, docs.tools, docs

    def _read_ahead(self, cmd: p.ReadAhead) -> None:
        """Read the coming prompt as far as it is known (see
        :class:`engine.protocol.ReadAhead` and :mod:`engine.read_ahead`)."""
        t_start = time.perf_counter()
        model = self._model_for(cmd.req)
        if model is None:
            return
        backend, facts, guard = model
        if not self._begin(cmd.req):
            self.send(p.ReadAheadDone(cmd.req, 0, 0, 0.0, cancelled=True))
            return
        tokens_of = self._tokenizer()
        try:
            messages, tools = self.request(cmd, guard)
            last = last_user_message(messages)
            text = messages[last].content
            as_sent = backend.can_cut_back() and bool(text.strip())
            # With nothing written yet, a stand-in keeps the documents' block as it will be
            # once there is a question after it.
            source = messages if as_sent else with_text(messages, last, text + PROBES[0])
            protected = guard.protect_messages(source)
            with_docs, tools, docs = self._with_documents(cmd, facts, protected, tools, tokens_of)
            if as_sent and (docs is None or docs.strategy == "whole"):
                # The prompt as it would be sent now, but its last token (which a question's
                # sampling reads again): sent unchanged, it starts answering at once; edited or
                # extended, the cache is cut back to where it still matches.
                prompt = list(tokens_of(self.render(cmd, facts, with_docs, tools)))[:-1]
            else:
                # Only what precedes the question's words: passages are chosen for the whole
                # question and come before them, and a sliding window that forgot the start
                # could not be cut back after an edit (everything would be read again).
                if docs is not None and docs.strategy == "retrieval":
                    bare = with_text(messages, last, PROBES[0])
                    with_docs = [*with_docs[:last], guard.protect_messages(bare)[last]]
                else:
                    with_docs = swap_text(with_docs, last, protected[last].content, PROBES[0])
                renders = [
                    list(tokens_of(self.render(cmd, facts, msgs, tools)))
                    for msgs in (with_docs, swap_text(with_docs, last, PROBES[0], PROBES[1]))
                ]
                prompt = shared_start(*renders)
        except (ConversationError, ValueError) as exc:
            self.send(p.Error(cmd.req, "bad_request", str(exc)))
            return
        except EmbeddingCancelled:
            self.send(p.ReadAheadDone(cmd.req, 0, 0, 0.0, cancelled=True))
            return
        if not self._room(cmd.req, facts, prompt):
            return

        def read(done: int, total: int) -> None:
            self.send(p.PromptProgress(cmd.req, "prompt", done, total))

        stats = GenerationStats()
        cancelled = False
        try:
            backend.read_prompt(prompt, self._cancel.is_set, stats, read)
        except Cancelled:
            cancelled = True
        except BackendError as exc:
            self.send(p.Error(cmd.req, exc.kind, str(exc)))
            return
        elapsed = (time.perf_counter() - t_start) * 1000.0
        read_tokens = 0 if cancelled else len(prompt) - stats.cached_tokens
        self.send(
            p.ReadAheadDone(
                cmd.req,
                0 if cancelled else len(prompt),
                read_tokens,
                round(elapsed, 2),
                cancelled=cancelled,
            )
        )

    def _continue(
        self,
        cmd: p.Generate,
        facts: ModelFacts,
        conversation: Sequence[ChatMessage],
        tools: Sequence[ToolSpec],
        forced: bool,
        tokens_of: Callable[[PromptPlan], list[int]],
    ) -> tuple[PromptPlan, list[int]]:
        """The prompt that continues a tool chain; ``forced`` opens a final answer."""
        plan = self.render(cmd, facts, conversation, tools)
        if forced:
            plan = dataclasses.replace(plan, text=plan.text + FORCE_FINAL)
        return plan, tokens_of(plan)

    def _room(self, req: int, facts: ModelFacts, prompt: list[int]) -> bool:
        if facts.n_ctx - len(prompt) >= 1:
            return True
        self.send(
            p.Error(
                req,
                "context_full",
                f"the conversation is {len(prompt)} tokens and the context holds "
                f"{facts.n_ctx}; shorten it or raise the context length",
            )
        )
        return False

    def _run_search(
        self, cmd: p.Generate, docs: Prepared, call: Routed, done: int
    ) -> tuple[str, list[Hit]]:
        """Run one documents.search call; the result text for the model and the hits.

        The query shown to the user went through the moderation layers: it was written by the
        model, possibly on the analysis channel.
        """
        assert cmd.documents_index is not None
        try:
            query, k = parse_arguments(call.text)
        except ToolArgumentsError as exc:
            return error_text(str(exc)), []
        shown = filter_text(query, self._moderator(cmd.moderation)).text
        self.send(p.ToolCallEvent(cmd.req, TOOL_NAME, json.dumps({"query": shown, "k": k})))
        if done >= MAX_CALLS:
            return LIMIT_TEXT, []
        hits = self._documents.search(docs, cmd.documents_index, query, k)
        return result_text(query, hits), hits

    def _send_sources(
        self, cmd: p.Generate, docs: Prepared, searched: list[list[Hit]], answer: str
    ) -> None:
        assert cmd.documents_index is not None
        try:
            sources = self._documents.sources(docs, cmd.documents_index, searched, answer)
        except (ConversationError, sqlite3.Error) as exc:
            print(f"lanterna-worker: no sources: {exc}", file=sys.stderr)
            return
        self.send(p.Sources(cmd.req, sources))

    def _moderator(self, layers: list[str]) -> Moderator:
        if self._lexicon is None:
            self._lexicon = Lexicon.load()
        return Moderator(parse_layers(layers), self._lexicon)

    def _reasoning_stream(self, cmd: p.Generate, out: Coalescer) -> ReasoningStream:
        mode: DisplayMode = cmd.reasoning  # type: ignore[assignment]  # validated by plan()
        moderator = self._moderator(cmd.moderation)
        guard = self._guard_model
        if guard is not None:
            guard.cancelled = self._cancel.is_set

        def emit(seg: FilteredSegment) -> None:
            # Called from the decoding thread or the guard's; send() is thread-safe.
            self.send(
                p.Reasoning(
                    cmd.req,
                    out.reasoning_tokens,
                    round(out.reasoning_seconds, 3),
                    **seg.to_json(),
                )
            )

        return ReasoningStream(mode, moderator, emit, guard)

    def _summarize(self, cmd: p.Generate, backend: Backend, facts: ModelFacts, raw: str) -> None:
        """Ask the loaded model, at low effort, to sum up the reasoning it just wrote; filter the
        summary; put the conversation's cache back so the next turn reuses it."""
        assert self._guard is not None
        saved = backend.save_context()
        try:
            text = complete(
                backend,
                facts,
                self._guard,
                summary_messages(raw, prompt_format(facts)),
                effort="low",
                thinking=False,
                max_tokens=SUMMARY_MAX_TOKENS,
                sampling=default_sampling(prompt_format(facts), seed=cmd.seed),
                cancelled=self._cancel.is_set,
            )
        except Cancelled:
            self.send(p.ReasoningSummary(cmd.req, "", error="cancelled"))
            return
        except (BackendError, ConversationError, ValueError) as exc:
            self.send(p.ReasoningSummary(cmd.req, "", error=f"no summary: {exc}"))
            return
        finally:
            backend.restore_context(saved)
        if not text:
            self.send(p.ReasoningSummary(cmd.req, "", error="the model wrote no summary"))
            return
        filtered = filter_text(text, self._moderator(cmd.moderation))
        self.send(
            p.ReasoningSummary(
                cmd.req,
                filtered.text,
                [{"kind": r.kind, "start": r.start, "end": r.end} for r in filtered.redactions],
                list(filtered.categories),
                filtered.withheld_segments,
            )
        )

    @staticmethod
    def _emit(
        routed: list[Routed],
        out: Coalescer,
        reasoning: ReasoningStream,
        thought: list[str],
        calls: list[Routed],
    ) -> None:
        # Reasoning text goes to the moderation stream and into ``thought`` (kept in this
        # process for a tool chain), never to the pipe; tokens are counted by the caller.
        # Documents searches are announced by the search itself, with a moderated query.
        for item in routed:
            if item.kind == "final":
                out.add_text(item.text)
            elif item.kind == "reasoning":
                reasoning.feed(item.text)
                thought.append(item.text)
            elif item.kind == "tool_call":
                calls.append(item)
                if item.name != TOOL_NAME:
                    out.send_now(p.ToolCallEvent(out.req, item.name, item.text))
                else:
                    out.flush()

    def _send_done(
        self,
        req: int,
        finish: p.FinishReason,
        stats: GenerationStats,
        n: int,
        ttft: float,
        tps: float,
        out: Coalescer | None,
        effort: str | None,
        thinking: bool | None = None,
        summary_pending: bool = False,
    ) -> None:
        self.send(
            p.Done(
                req=req,
                finish_reason=finish,
                prompt_tokens=stats.prompt_tokens,
                completion_tokens=n,
                cached_tokens=stats.cached_tokens,
                ttft_ms=round(ttft, 2),
                tokens_per_s=round(tps, 2),
                prompt_ms=round(stats.prompt_ms, 2),
                peak_memory_bytes=stats.peak_memory_bytes,
                reasoning_tokens=out.reasoning_tokens if out else 0,
                reasoning_seconds=round(out.reasoning_seconds, 3) if out else 0.0,
                effort=effort,
                thinking=thinking,
                summary_pending=summary_pending,
            )
        )


def _lower_priority() -> None:
    """Yield the CPU to the app: decoding keeps every core busy, and without this the window's
    thread waits for the scheduler while an answer streams. The app asks for it through the
    environment; the engine's own CLI runs at normal priority."""
    raw = os.environ.get(NICE_ENV, "")
    if raw.isdigit() and hasattr(os, "nice"):
        with contextlib.suppress(OSError):
            os.nice(min(int(raw), 19))


def main() -> int:
    """Entry point of worker mode (``lanterna --worker`` / ``lanterna-engine --worker``)."""
    # The protocol gets its own descriptor; fd 1 then points at stderr so that native code
    # printing to stdout cannot interleave bytes into the event stream.
    out_fd = os.dup(1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    out = os.fdopen(out_fd, "wb", buffering=0)
    # Ctrl-C in a terminal reaches the whole process group; the client decides what stops.
    if hasattr(signal, "SIGINT"):
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    _lower_priority()
    worker = Worker(out, create_backend)
    reader = threading.Thread(
        target=worker.read_commands, args=(sys.stdin.buffer,), name="commands", daemon=True
    )
    reader.start()
    code = worker.run()
    out.close()
    # Skip interpreter teardown: native destructors of a half-used model are not worth the risk.
    os._exit(code)
