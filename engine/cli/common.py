"""Pieces shared by the command-line commands: model resolution, input, clean failures."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import overload

from engine import protocol as p
from engine.backends.choice import CHOICES
from engine.backends.mlx_folder import MlxFolder, MlxFolderError, read_mlx_folder
from engine.client import EngineClient, WorkerExited
from engine.conversation import ChatMessage, ConversationError, ToolSpec, conversation_from_json
from engine.gguf_header import GGUFError, GGUFHeader, read_header
from engine.models.demo import DemoModelError, ensure_demo_model
from engine.settings import MAX_CONTEXT, MAX_THREADS, MIN_CONTEXT

NO_GUARD_CHOSEN = "the guard layer is on but no guard model is installed; use --guard-model GGUF"


class CliError(Exception):
    """Ends a command with a one-line message on stderr and a non-zero exit code."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def _whole_number(text: str, what: str, low: int, high: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not low <= value <= high:
        raise argparse.ArgumentTypeError(f"{what} must be from {low:,} to {high:,}, not {value:,}")
    return value


def context_length(text: str) -> int:
    """``--ctx``: below the settings' minimum, llama.cpp would quietly raise it or a prompt
    with documents would not fit the room planned for it."""
    return _whole_number(text, "the context length", MIN_CONTEXT, MAX_CONTEXT)


def thread_count(text: str) -> int:
    """``--threads``: a negative count would be taken by llama.cpp as "all", silently."""
    return _whole_number(text, "the thread count", 1, MAX_THREADS)


def temperature(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0.0 <= value <= 2.0:
        raise argparse.ArgumentTypeError(f"the temperature must be from 0 to 2, not {value:g}")
    return value


@overload
def resolve_model(path: str | None) -> GGUFHeader: ...


@overload
def resolve_model(path: str | None, backend: str) -> GGUFHeader | MlxFolder: ...


def resolve_model(path: str | None, backend: str = "llamacpp") -> GGUFHeader | MlxFolder:
    """The named model, or the bundled demo model; validated before any worker starts.

    With the default backend only a GGUF file will do (commands that read the file's header
    themselves); with "mlx" or "auto" an MLX model folder is accepted too.
    """
    if backend not in CHOICES:
        raise CliError(f"unknown backend {backend!r}: choose one of {', '.join(CHOICES)}")
    if path is None:
        if backend == "mlx":
            raise CliError("the MLX backend runs model folders: name one with --model")
        try:
            path = str(ensure_demo_model())
        except DemoModelError as exc:
            raise CliError(f"the demo model is not available: {exc}") from None
    model = Path(path).expanduser()
    if backend == "mlx" or (backend == "auto" and model.is_dir()):
        try:
            return read_mlx_folder(model)
        except MlxFolderError as exc:
            raise CliError(str(exc)) from None
    if model.is_dir():
        raise CliError(
            f"{model} is a folder; llama.cpp runs GGUF files (an MLX model folder needs "
            "--backend mlx or auto)"
        )
    try:
        return read_header(model)
    except GGUFError as exc:
        raise CliError(str(exc)) from None


def load_messages(conversation: str | None, prompt: str | None) -> list[ChatMessage]:
    """The conversation file's messages, plus PROMPT (or stdin) as the last user turn."""
    messages: list[ChatMessage] = []
    if conversation:
        try:
            text = (
                sys.stdin.read() if conversation == "-" else Path(conversation).read_text("utf-8")
            )
        except OSError as exc:
            raise CliError(f"cannot read {conversation}: {exc.strerror or exc}") from None
        except UnicodeDecodeError:
            raise CliError(f"{conversation} is not UTF-8 text") from None
        try:
            messages = conversation_from_json(json.loads(text))
        except json.JSONDecodeError as exc:
            raise CliError(f"{conversation} is not valid JSON: {exc}") from None
        except ConversationError as exc:
            raise CliError(f"{conversation}: {exc}") from None
    if prompt is None and not conversation and not sys.stdin.isatty():
        prompt = sys.stdin.read()
    if prompt:
        messages.append(ChatMessage("user", prompt))
    if not messages:
        raise CliError("nothing to send: give a PROMPT or --conversation FILE")
    return messages


def load_tools(path: str | None) -> list[ToolSpec]:
    """Function tools from a JSON list of ``{"name", "description", "parameters"}`` objects."""
    if not path:
        return []
    try:
        data = json.loads(Path(path).read_text("utf-8"))
    except OSError as exc:
        raise CliError(f"cannot read {path}: {exc.strerror or exc}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise CliError(f"{path} is not valid JSON: {exc}") from None
    if not isinstance(data, list):
        raise CliError(f"{path}: tools are a JSON list of objects")
    tools: list[ToolSpec] = []
    for i, item in enumerate(data):
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise CliError(f"{path}: tool {i} needs a 'name'")
        params = item.get("parameters")
        if params is not None and not isinstance(params, dict):
            raise CliError(f"{path}: tool {i}: 'parameters' must be a JSON schema object")
        tools.append(ToolSpec(item["name"], str(item.get("description", "")), params))
    return tools


def worker_failure(ev: p.Error | WorkerExited) -> CliError:
    """The one-line error for a failed request or a worker that stopped."""
    if isinstance(ev, p.Error):
        return CliError(ev.message)
    tail = f" — {ev.stderr_tail[-1]}" if ev.stderr_tail else ""
    return CliError(f"the engine worker stopped: {ev.reason}{tail}")


def start_and_load(
    client: EngineClient,
    model: Path,
    *,
    n_ctx: int,
    n_threads: int | None,
    show_progress: bool = False,
    guard_model: str | None = None,
    chat_template: str | None = None,
    backend: str = "auto",
    gpu_backend: str = "auto",
    n_gpu_layers: int = 0,
    embedding_model: str | None = None,
) -> p.Loaded:
    """Start the worker and load ``model`` in it, optionally drawing progress on stderr.

    A guard model that is asked for but missing or broken does not stop the command: the worker
    filters with the other layers, and a note on stderr says so.
    """
    client.start()
    ev: p.Message | WorkerExited = client.wait_for((p.Ready,), timeout=120)
    if isinstance(ev, p.Error | WorkerExited):
        raise worker_failure(ev)
    client.load(
        model,
        n_ctx=n_ctx,
        n_threads=n_threads,
        guard_model=guard_model,
        chat_template=chat_template,
        backend=backend,
        gpu_backend=gpu_backend,
        n_gpu_layers=n_gpu_layers,
        embedding_model=embedding_model,
    )
    while True:
        ev = client.wait_for((p.Loaded, p.LoadProgress), timeout=600)
        if isinstance(ev, p.Error | WorkerExited):
            raise worker_failure(ev)
        if isinstance(ev, p.Loaded):
            break
        if show_progress and isinstance(ev, p.LoadProgress):
            sys.stderr.write(f"\rloading {model.name}… {ev.fraction:4.0%}")
            sys.stderr.flush()
    if show_progress:
        sys.stderr.write("\r\033[K")
    if ev.guard in ("missing", "failed"):
        note(ev.guard_message)
    if ev.embedding in ("missing", "failed"):
        note(ev.embedding_message)
    return ev


def note(message: str) -> None:
    """A remark that does not stop the command, on stderr."""
    print(f"lanterna-engine: note: {message}", file=sys.stderr)
