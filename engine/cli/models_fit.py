"""``lanterna-engine models fit NAME|PATH``: will this model fit in this machine's memory?

NAME is an installed model's name (as ``models list`` prints it) or a catalog name (or
repository), estimated before anything is downloaded; PATH is a local .gguf file. Files are
estimated from their size and header. The numbers are those of
:mod:`engine.models.fit`; the verdict is information, so the command succeeds whatever it says.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from engine.backends.kv_cache import FULL_SWA_MAX_CTX
from engine.cli.common import CliError
from engine.gguf_header import GGUFError
from engine.models.catalog import CatalogEntry, CatalogError, find_entry, load_catalog
from engine.models.fit import (
    FitError,
    FitEstimate,
    MachineMemory,
    RuntimeSettings,
    detect_memory,
    fit_for_entry,
    fit_for_path,
    format_bytes,
)
from engine.models.registry import ModelRegistry, RegistryError
from engine.settings import DEFAULT_CONTEXT


def register(models_subparsers: Any) -> None:
    """Add the ``fit`` sub-command to the ``models`` command's subparsers."""
    ap: argparse.ArgumentParser = models_subparsers.add_parser(
        "fit",
        help="estimate whether a model fits in memory at a context length",
        description="Estimate the memory a model needs (weights, KV cache, compute buffers) "
        "at a context length, against the memory this machine has available.",
    )
    ap.add_argument(
        "model", metavar="NAME|PATH", help="an installed or catalog model's name, or a .gguf file"
    )
    ap.add_argument(
        "--ctx",
        type=int,
        default=DEFAULT_CONTEXT,
        help=f"context length in tokens (default: {DEFAULT_CONTEXT})",
    )
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument(
        "--kv-cache",
        choices=("auto", "full", "windowed"),
        default="auto",
        help="sliding-window layers: keep every token (full) or only their window; auto is "
        f"what the app does (full up to {FULL_SWA_MAX_CTX} tokens, windowed beyond)",
    )
    ap.add_argument(
        "--no-flash-attn",
        action="store_true",
        help="estimate as if flash attention were off (a context-sized attention scratch)",
    )
    ap.set_defaults(func=run)


def _resolve(text: str) -> tuple[CatalogEntry | None, Path | None]:
    """The catalog entry or the local file the argument names."""
    path = Path(text).expanduser()
    if path.is_dir():
        raise CliError(
            f"{text} is a folder; fit estimates GGUF files (for an MLX model, name its "
            "catalog entry instead)"
        )
    if path.is_file() or text.lower().endswith(".gguf"):
        if not path.exists():
            raise CliError(f"no such file: {text}")
        return None, path
    installed = _installed(text)
    if installed is not None:
        return None, installed
    try:
        entry = find_entry(text)
        names = [e.name for e in load_catalog()]
    except CatalogError as exc:
        raise CliError(str(exc)) from None
    if entry is None:
        raise CliError(
            f"{text!r} is neither an installed model, a catalog model nor a .gguf file "
            f"(catalog: {', '.join(names)}; installed: see `lanterna-engine models list`)"
        )
    return entry, None


def _installed(name: str) -> Path | None:
    """The file of the installed model called ``name`` (as ``models list`` prints it)."""
    try:
        model = ModelRegistry().get(name)
    except RegistryError:
        return None
    if model.backend == "mlx":
        raise CliError(
            f"{name} is an MLX model; fit estimates GGUF files (name its catalog entry instead)"
        )
    return model.path


def _settings(args: argparse.Namespace, entry: CatalogEntry | None) -> RuntimeSettings:
    base = RuntimeSettings.for_backend(entry.backend) if entry else RuntimeSettings()
    swa_full = {"auto": base.swa_full, "full": True, "windowed": False}[args.kv_cache]
    return RuntimeSettings(
        n_ubatch=base.n_ubatch,
        swa_full=swa_full,
        flash_attention=base.flash_attention and not args.no_flash_attn,
        kv_type_size=base.kv_type_size,
    )


def _notes(est: FitEstimate, entry: CatalogEntry | None) -> list[str]:
    notes: list[str] = []
    if est.exceeds_context_length:
        notes.append(
            f"{est.n_ctx} tokens is more than the {est.context_length} the model was trained for"
        )
    if est.swa_full and est.kv_bytes_per_token_windowed < est.kv_bytes_per_token_full:
        notes.append(
            "sliding-window layers keep every token at this length, so follow-up questions "
            "reuse the conversation; a windowed cache would need "
            f"{format_bytes(est.kv_bytes_per_token_windowed)}/token (--kv-cache windowed)"
        )
    if not est.flash_attention and est.compute_bytes > est.kv_bytes:
        notes.append(
            "without flash attention the attention scratch grows with the context "
            f"({format_bytes(est.compute_bytes)} here)"
        )
    if entry is not None and entry.size_approximate:
        notes.append(f"the download size of {entry.name} is approximate")
    if entry is not None and entry.unverified:
        notes.append(f"not confirmed in the catalog: {', '.join(entry.unverified)}")
    return notes


def _machine_dict(machine: MachineMemory) -> dict[str, Any]:
    return {
        "total_bytes": machine.total_bytes,
        "available_bytes": machine.available_bytes,
        "unified": machine.unified,
        "vram_total_bytes": machine.vram_total_bytes,
        "vram_free_bytes": machine.vram_free_bytes,
        "gpu": machine.gpu_name,
        "source": machine.source,
    }


def _print_text(label: str, est: FitEstimate, machine: MachineMemory, notes: list[str]) -> None:
    if est.kv_window_bytes:
        cache = (
            f"windowed cache: sliding-window layers hold {format_bytes(est.kv_window_bytes)} in all"
        )
    elif est.kv_bytes_per_token_windowed < est.kv_bytes_per_token_full:
        cache = "full cache: sliding-window layers keep every token too"
    else:
        cache = "every layer keeps every token"
    rows = [
        ("weights", format_bytes(est.weights_bytes)),
        (
            "KV cache",
            f"{format_bytes(est.kv_bytes)}  "
            f"({format_bytes(est.kv_bytes_per_token)}/token; {cache})",
        ),
        (
            "overhead",
            f"{format_bytes(est.overhead_bytes)}  (compute buffers "
            f"{format_bytes(est.compute_bytes)}, runtime {format_bytes(est.runtime_bytes)})",
        ),
        ("total", format_bytes(est.total_bytes)),
        (
            "available",
            f"{format_bytes(est.available_bytes)} of {format_bytes(est.total_ram_bytes)} RAM"
            + (" (unified memory, shared with the GPU)" if est.unified_memory else ""),
        ),
    ]
    if machine.vram_free_bytes is not None:
        rows.append(
            (
                "GPU",
                f"{machine.gpu_name}: {format_bytes(machine.vram_free_bytes)} free"
                + (
                    ", enough to offload all of it"
                    if est.fits_in_vram
                    else ", not enough to offload all of it"
                ),
            )
        )
    rows.append(("verdict", f"{est.verdict}: {est.reason}"))
    print(f"{label} at {est.n_ctx} tokens of context")
    for name, value in rows:
        print(f"  {name:<10} {value}")
    for note in notes:
        print(f"  note: {note}")


def run(args: argparse.Namespace) -> int:
    if args.ctx <= 0:
        raise CliError("--ctx must be a positive number of tokens")
    entry, path = _resolve(args.model)
    settings = _settings(args, entry)
    try:
        machine = detect_memory()
        if entry is not None:
            est = fit_for_entry(entry, args.ctx, machine, settings)
        else:
            assert path is not None
            est = fit_for_path(path, args.ctx, machine, settings)
    except GGUFError as exc:
        raise CliError(str(exc)) from None
    except FitError as exc:
        raise CliError(f"cannot estimate {args.model}: {exc}") from None
    notes = _notes(est, entry)
    if entry is not None:
        file = entry.primary_file
        label = f"{entry.name} ({entry.repository}" + (f", {file.name})" if file else ")")
    else:
        label = str(path)
    if args.json:
        data: dict[str, Any] = {
            "model": entry.name if entry else str(path),
            "source": "catalog" if entry else "file",
            "repository": entry.repository if entry else None,
            **est.to_dict(),
            "machine": _machine_dict(machine),
            "notes": notes,
        }
        print(json.dumps(data))
    else:
        _print_text(label, est, machine, notes)
    return 0
