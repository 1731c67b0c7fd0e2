"""Messages between the engine client and its worker process.

Every message is a small frozen dataclass, sent as one line of JSON:
``{"v": PROTOCOL_VERSION, "type": "<tag>", ...fields}``. JSON lines were chosen over pickle
because the two ends may one day be different builds (a frozen app re-entering itself, a newer
worker): unknown fields are ignored, unknown types are reported, and nothing on the pipe can run
code. Token text is coalesced by the worker to about one event per frame, so encoding cost is
negligible next to decoding a token (``lanterna-engine bench`` measures the whole pipeline).

Reasoning never crosses this pipe raw: :class:`Reasoning` carries statistics and, in the
"filtered" display mode, segments that passed the moderation filter; :class:`ReasoningSummary`
carries a filtered summary. The worker filters before anything is written here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar, Literal

PROTOCOL_VERSION = 1

FinishReason = Literal["stop", "length", "tool_call", "cancelled"]


class ProtocolError(ValueError):
    """A line that is not a message of this protocol version."""


@dataclass(frozen=True)
class Message:
    type: ClassVar[str] = ""


_REGISTRY: dict[str, type[Message]] = {}


def _register(cls: type[Message]) -> type[Message]:
    _REGISTRY[cls.type] = cls
    return cls


# ---------------------------------------------------------------- commands (client -> worker)


@_register
@dataclass(frozen=True)
class LoadModel(Message):
    type: ClassVar[str] = "load"
    req: int
    path: str
    n_ctx: int = 8192
    n_threads: int | None = None
    n_batch: int = 512
    n_gpu_layers: int = 0
    # A GGUF classifier for the guard moderation layer, loaded beside the model.
    guard_model: str | None = None
    # A chat template used instead of the one in the file (a user override).
    chat_template: str | None = None
    # Which backend runs the model: "auto" (an MLX folder on MLX, a GGUF file on llama.cpp),
    # "llamacpp" or "mlx". Loaded.backend says which one did.
    backend: str = "auto"
    # Which llama.cpp build: "auto" (the best GPU found with its build installed), "cpu",
    # "cuda" or "vulkan" (engine.gpu). The first llama.cpp load of a worker decides for its life.
    gpu_backend: str = "auto"
    # A GGUF embedding model for document search, loaded beside the model: with it, retrieval
    # fuses BM25 with vector similarity (engine.documents.embedding).
    embedding_model: str | None = None


@_register
@dataclass(frozen=True)
class Generate(Message):
    type: ClassVar[str] = "generate"
    req: int
    messages: list[dict[str, Any]]
    effort: str = "medium"
    max_tokens: int = 4096
    temperature: float | None = None
    top_p: float | None = None
    top_k: int | None = None
    min_p: float | None = None
    seed: int | None = None
    tools: list[dict[str, Any]] = field(default_factory=list)
    date: str | None = None
    # What the user may see of the reasoning: "hidden" | "filtered" | "summary".
    reasoning: str = "hidden"
    # Moderation layers switched on (see engine.moderation.pipeline.LAYERS).
    moderation: list[str] = field(default_factory=lambda: ["lexical", "pii", "guard"])
    # Benchmarks decode a fixed number of tokens; nothing else should set this.
    ignore_eos: bool = False
    # Documents attached to the conversation: {"path": str, "message": int}, the index in
    # ``messages`` of the user message they were attached to. The worker reads them from the
    # document index at ``documents_index`` (engine.documents.attach), whole or by search.
    documents: list[dict[str, Any]] = field(default_factory=list)
    documents_index: str | None = None


@_register
@dataclass(frozen=True)
class ReadAhead(Generate):
    """Read now the start of the prompt that a :class:`Generate` with these fields will have.

    ``messages`` ends with the user message being written, with its text so far (possibly empty);
    its attached documents are in ``documents`` as for Generate. The worker reads into its cache
    the prompt that message would be sent with now, but its last token, or, where the cache
    cannot be cut back after an edit or the documents are searched by passages, only what comes
    before the message's text (see :mod:`engine.read_ahead`); for passages it also embeds them.
    The question sent next, as a Generate of the same conversation, then starts answering at
    once. Sampling fields are not used. Progress comes as :class:`PromptProgress`, the
    documents' plan as :class:`DocumentsPlan`, and the end as :class:`ReadAheadDone`;
    cancelling keeps what was read.
    """

    type: ClassVar[str] = "read_ahead"


@_register
@dataclass(frozen=True)
class Cancel(Message):
    """Cancel request ``req`` (a load or a generation); -1 cancels whatever runs."""

    type: ClassVar[str] = "cancel"
    req: int = -1


@_register
@dataclass(frozen=True)
class Unload(Message):
    type: ClassVar[str] = "unload"
    req: int = 0


@_register
@dataclass(frozen=True)
class Shutdown(Message):
    type: ClassVar[str] = "shutdown"


# ---------------------------------------------------------------- events (worker -> client)


@_register
@dataclass(frozen=True)
class Ready(Message):
    type: ClassVar[str] = "ready"
    pid: int
    protocol: int = PROTOCOL_VERSION
    # The backends installed in this worker ("llamacpp", "mlx").
    backends: list[str] = field(default_factory=list)


@_register
@dataclass(frozen=True)
class LoadProgress(Message):
    type: ClassVar[str] = "load_progress"
    req: int
    fraction: float


@_register
@dataclass(frozen=True)
class Loaded(Message):
    type: ClassVar[str] = "loaded"
    req: int
    path: str
    name: str
    architecture: str
    prompt_format: str  # "harmony" | "template" | "plain"
    n_ctx: int
    n_ctx_train: int
    supports_effort: bool
    thinking_switch: bool
    load_ms: float
    backend: str = "llamacpp"
    # Where it runs: "cpu", "cuda", "vulkan" or "metal", the GPU's name, the layers offloaded
    # to it (0 on the CPU), and why that device ("CPU: no GPU found"…).
    device: str = "cpu"
    device_name: str = ""
    gpu_layers: int = 0
    device_note: str = ""
    # The guard layer's model: "off" (none asked for), "ready", "missing" or "failed";
    # guard_message says what happened in words.
    guard: str = "off"
    guard_message: str = ""
    # The embedding model for document search, in the same terms as the guard's.
    embedding: str = "off"
    embedding_message: str = ""


@_register
@dataclass(frozen=True)
class Started(Message):
    """The prompt is processed and the first token sampled: the answer is on its way.

    Sent at once, before that token is routed, so the app can switch from "reading the prompt"
    to "answering" (or "thinking") and benchmarks can time the first token like the raw library.
    """

    type: ClassVar[str] = "started"
    req: int
    prompt_tokens: int
    cached_tokens: int
    prompt_ms: float


@_register
@dataclass(frozen=True)
class Text(Message):
    """A piece of the final answer (several tokens coalesced)."""

    type: ClassVar[str] = "text"
    req: int
    text: str


@_register
@dataclass(frozen=True)
class Reasoning(Message):
    """Reasoning progress: statistics, or (``text`` not None) one filtered segment.

    ``text`` is never raw chain of thought: it is what the moderation layers let through, with
    ``redactions`` (``{"kind", "start", "end"}`` of each placeholder in ``text``) and the
    ``categories`` that caused a change; a ``withheld`` segment has empty text.
    """

    type: ClassVar[str] = "reasoning"
    req: int
    tokens: int
    seconds: float
    text: str | None = None
    redactions: list[dict[str, Any]] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    withheld: bool = False


@_register
@dataclass(frozen=True)
class ReasoningSummary(Message):
    """The filtered summary of an answer's reasoning ("summary" display mode).

    Sent after :class:`Done` when ``Done.summary_pending`` is true; it is then the request's last
    event. ``text`` is empty with ``error`` set when no summary could be written.
    """

    type: ClassVar[str] = "summary"
    req: int
    text: str
    redactions: list[dict[str, Any]] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    withheld_segments: int = 0
    error: str | None = None


@_register
@dataclass(frozen=True)
class PromptProgress(Message):
    """Work done before the first token of a long request, sent before :class:`Started`.

    ``stage`` is "passages" while the attached documents' passages are embedded for search
    (``done`` of ``total`` passages), then "prompt" while the new part of the prompt is read
    (``done`` of ``total`` tokens; the cached prefix is not counted). Sent only when the work
    takes more than one batch, so a short question or a follow-up sends none: this is what
    the first question about a long document waits on, minutes on a CPU.
    """

    type: ClassVar[str] = "prompt_progress"
    req: int
    stage: Literal["passages", "prompt"]
    done: int
    total: int


@_register
@dataclass(frozen=True)
class DocumentsPlan(Message):
    """How the attached documents reach the model, sent before :class:`Started`.

    ``strategy`` is "whole" (every document in the prompt) or "retrieval" (the passages that
    match each question, and for gpt-oss a ``documents.search`` tool); ``tokens`` is what the
    documents take of the prompt, ``budget`` what the context leaves them; ``missing`` lists
    documents the index no longer holds (re-attach them).
    """

    type: ClassVar[str] = "documents"
    req: int
    strategy: str
    documents: int
    tokens: int
    budget: int
    tool: bool = False
    missing: list[str] = field(default_factory=list)


@_register
@dataclass(frozen=True)
class Sources(Message):
    """The passages an answer rests on, best first, sent before :class:`Done`.

    Each source is ``{"file", "path", "page", "heading", "excerpt", "score"}``: ``file`` the
    file name, ``path`` its absolute path, ``page`` a 1-based PDF page or None, ``heading`` the
    heading path or None.
    """

    type: ClassVar[str] = "sources"
    req: int
    sources: list[dict[str, Any]] = field(default_factory=list)


@_register
@dataclass(frozen=True)
class ToolCallEvent(Message):
    type: ClassVar[str] = "tool_call"
    req: int
    name: str
    arguments: str


@_register
@dataclass(frozen=True)
class Done(Message):
    type: ClassVar[str] = "done"
    req: int
    finish_reason: FinishReason
    prompt_tokens: int
    completion_tokens: int
    cached_tokens: int
    ttft_ms: float
    tokens_per_s: float
    prompt_ms: float
    reasoning_tokens: int = 0
    reasoning_seconds: float = 0.0
    # The effort the model was given (harmony models), and whether a template's thinking switch
    # was on or off (None: the model has no such switch).
    effort: str | None = None
    thinking: bool | None = None
    # A ReasoningSummary follows for this request.
    summary_pending: bool = False
    # The most memory the backend held during the request; 0 when it cannot tell (llama.cpp).
    peak_memory_bytes: int = 0


@_register
@dataclass(frozen=True)
class ReadAheadDone(Message):
    """The end of a :class:`ReadAhead`: ``tokens`` of the coming prompt are in the cache now,
    ``read`` of them read by this request (the others were there already)."""

    type: ClassVar[str] = "read_ahead_done"
    req: int
    tokens: int
    read: int
    read_ms: float
    cancelled: bool = False


@_register
@dataclass(frozen=True)
class Unloaded(Message):
    type: ClassVar[str] = "unloaded"
    req: int = 0


@_register
@dataclass(frozen=True)
class Error(Message):
    """A request failed; ``kind`` is a stable word for programs, ``message`` is for people."""

    type: ClassVar[str] = "error"
    req: int
    kind: str
    message: str


# ---------------------------------------------------------------- encoding


_FIELD_NAMES: dict[type[Message], tuple[str, ...]] = {}
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def encode(msg: Message) -> bytes:
    # Called for every coalesced text event: plain attribute reads instead of dataclasses.asdict,
    # which deep-copies every value and costs several times more.
    cls = type(msg)
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = tuple(f.name for f in fields(cls))
    payload: dict[str, Any] = {"v": PROTOCOL_VERSION, "type": msg.type}
    for name in names:
        payload[name] = getattr(msg, name)
    return _ENCODER.encode(payload).encode("utf-8") + b"\n"


def decode(line: bytes | str) -> Message:
    try:
        obj = json.loads(line)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ProtocolError(f"not a JSON message: {exc}") from None
    if not isinstance(obj, dict):
        raise ProtocolError("a message must be a JSON object")
    version = obj.get("v")
    if version != PROTOCOL_VERSION:
        raise ProtocolError(f"protocol version {version!r}, expected {PROTOCOL_VERSION}")
    cls = _REGISTRY.get(str(obj.get("type")))
    if cls is None:
        raise ProtocolError(f"unknown message type {obj.get('type')!r}")
    known = {f.name for f in fields(cls)}
    kwargs = {k: v for k, v in obj.items() if k in known}
    try:
        return cls(**kwargs)
    except TypeError as exc:
        raise ProtocolError(f"bad {cls.type} message: {exc}") from None
