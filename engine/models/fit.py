"""Will this model fit? An estimate of the memory a model needs at a given context length.

What llama.cpp allocates for a model, worked out from its architecture:

* **weights**: the GGUF file, memory-mapped; every expert of a mixture-of-experts model is
  touched sooner or later, so the whole file counts.
* **KV cache**: per token and layer, ``n_head_kv × (key_length + value_length)`` elements of
  ``kv_type_size`` bytes (2 for f16). Sliding-window layers (gpt-oss alternates them with
  full-attention layers, Gemma 3 has five to each full one) need only the window when llama.cpp
  keeps a windowed cache; with a full-size cache (``swa_full``) they keep every token like the
  other layers. gpt-oss-20b: 24 layers × 8 KV heads × (64 + 64) × 2 bytes = 48 KiB per token
  with the full cache, 24 KiB per token plus a fixed 18 MiB with the windowed one.
* **compute buffers**: the scratch llama.cpp reserves for one micro-batch. The largest tensors
  in it are the logits of the micro-batch (``n_vocab × n_ubatch`` floats) and, without flash
  attention, the attention scores (``n_ctx × n_ubatch × n_head`` floats, which grow with the
  context). Measured with the bundled llama.cpp on the tiny gpt-oss and the demo Gemma model:
  the reserve is the larger of the two, the scores counting one and a half times (the scores and
  the softmax working set overlap), plus a little for activations.
* **runtime**: the process itself (interpreter, llama.cpp, token tables), a fixed allowance.

The settings that change these numbers (micro-batch size, windowed or full sliding-window
cache, flash attention) default to what the llama.cpp backend asks for, so the estimate
describes what Lanterna will actually allocate; see :class:`RuntimeSettings`.

Everything here is an estimate for deciding, not an accounting: it is meant to be right to
within a few percent for the weights and KV cache, and conservative for the rest.
"""

from __future__ import annotations

import ctypes
import math
import os
import platform
import re
import shutil
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from engine.backends.base import LoadParams
from engine.backends.kv_cache import FLASH_ATTENTION, use_full_swa_cache
from engine.gguf_header import GGUFHeader, read_header
from engine.models.catalog import CatalogEntry
from engine.system_env import run_system_tool

KIB = 1024
MIB = 1024 * KIB
GIB = 1024 * MIB

# llama.cpp rounds the context and the windowed cache up to whole blocks of this many cells.
KV_PAD = 256
F16_BYTES = 2.0
F32_BYTES = 4

# The scores tensor and its softmax overlap in llama.cpp's reserve: measured 1.5 × the scores
# (tiny gpt-oss, 4 heads, contexts 49152-131072: 576.9, 1152.9 and 1536.9 MiB reserved against
# 384, 768 and 1024 MiB of scores).
ATTENTION_SCRATCH_FACTOR = 1.5
# Activations of one micro-batch: a few hidden-state sized tensors are alive at once. Measured
# reserves sit 0.4-2.5 MiB above the logits; four hidden states is a safe upper bound.
ACTIVATION_TENSORS = 4
# Interpreter, llama.cpp and its token tables, the worker's own buffers.
RUNTIME_BYTES = 256 * MIB

# Verdict margins. "fits" keeps 15% of the memory free now: the desktop app, the browser and the
# page cache the OS needs to stay responsive live there, and the estimate itself can be a few
# percent short. "tight" means it fits only into that margin, or only once other programs give
# memory back (it is under 85% of all RAM): it will run, but may push other programs to swap.
FITS_SHARE = 0.85
TOTAL_RAM_SHARE = 0.85
# On unified memory (Apple silicon) the GPU may use only part of RAM: macOS caps Metal's working
# set at about three quarters of it, so more than that cannot all live on the GPU.
UNIFIED_GPU_SHARE = 0.75

FITS = "fits"
TIGHT = "tight"
WONT_FIT = "won't fit"

# Layers using the sliding window when the file does not say, as llama.cpp lays them out: every
# n-th layer has full attention, the others the window (gpt-oss alternates, Gemma 3 has five
# windowed layers to each full one, Gemma 2 alternates).
SWA_PATTERNS: dict[str, int] = {"gpt-oss": 2, "gemma2": 2, "gemma3": 6, "cohere2": 4}

# sysctl, vm_stat and nvidia-smi answer in milliseconds; a hung driver must not hang us.
PROBE_TIMEOUT = 2.0


class FitError(ValueError):
    """The estimate cannot be made (bad input, or facts missing for the model)."""


def _pad(n: int, block: int = KV_PAD) -> int:
    return -(-n // block) * block


def _swa_layers(n_layer: int, pattern: int) -> int:
    """How many of ``n_layer`` layers use the window when every ``pattern``-th is full."""
    if pattern <= 1:
        return 0
    return sum(1 for il in range(n_layer) if il % pattern < pattern - 1)


@dataclass(frozen=True)
class ArchFacts:
    """The architecture numbers the estimate needs."""

    architecture: str
    n_layer: int
    n_head: int
    n_head_kv: int
    key_length: int
    value_length: int
    n_embd: int = 0
    n_vocab: int = 0
    context_length: int = 0
    sliding_window: int = 0
    n_swa_layers: int = 0

    def __post_init__(self) -> None:
        if self.n_layer <= 0 or self.n_head_kv <= 0 or self.key_length <= 0:
            raise FitError(f"{self.architecture or 'the model'}: incomplete architecture facts")
        if not 0 <= self.n_swa_layers <= self.n_layer:
            raise FitError("more sliding-window layers than layers")

    @property
    def n_full_layers(self) -> int:
        return self.n_layer - (self.n_swa_layers if self.sliding_window else 0)

    def kv_bytes_per_layer_token(self, kv_type_size: float = F16_BYTES) -> float:
        return self.n_head_kv * (self.key_length + self.value_length) * kv_type_size

    @classmethod
    def from_header(cls, header: GGUFHeader) -> ArchFacts:
        """Facts from a GGUF header's ``{architecture}.*`` metadata.

        Raises :class:`FitError` when the file lacks the attention numbers (not a
        transformer llama.cpp knows, or a file written without them).
        """
        arch = header.architecture
        meta = header.metadata

        def num(key: str, default: int = 0) -> int:
            value = meta.get(f"{arch}.{key}")
            return int(value) if isinstance(value, int) and not isinstance(value, bool) else default

        n_layer = num("block_count")
        n_head = num("attention.head_count")
        n_embd = num("embedding_length")
        if not n_layer or not n_head:
            raise FitError(f"{header.path.name} has no block or attention head counts")
        # Absent when stored per layer (an array the header reader skips) or for plain
        # multi-head attention: one KV head per query head is then the safe assumption.
        n_head_kv = num("attention.head_count_kv", n_head)
        head_dim = n_embd // n_head if n_embd else 0
        key_length = num("attention.key_length", head_dim)
        value_length = num("attention.value_length", key_length)
        window = num("attention.sliding_window")
        pattern = meta.get(f"{arch}.attention.sliding_window_pattern")
        if not window:
            n_swa = 0
        elif isinstance(pattern, int) and not isinstance(pattern, bool):
            n_swa = _swa_layers(n_layer, pattern)
        else:
            # A file that names a window but no pattern: the architecture's known layout, or
            # (unknown architecture) every layer windowed, as llama.cpp does for such files.
            n_swa = _swa_layers(n_layer, SWA_PATTERNS[arch]) if arch in SWA_PATTERNS else n_layer
        tokens = meta.get("tokenizer.ggml.tokens")
        n_vocab = num("vocab_size") or (len(tokens) if isinstance(tokens, list) else 0)
        return cls(
            architecture=arch,
            n_layer=n_layer,
            n_head=n_head,
            n_head_kv=n_head_kv,
            key_length=key_length,
            value_length=value_length,
            n_embd=n_embd,
            n_vocab=n_vocab,
            context_length=header.context_length,
            sliding_window=window,
            n_swa_layers=n_swa,
        )

    @classmethod
    def from_entry(cls, entry: CatalogEntry) -> ArchFacts:
        if entry.arch is None:
            raise FitError(f"the catalog has no architecture facts for {entry.name}")
        a = entry.arch
        return cls(
            architecture=entry.architecture,
            n_layer=a.n_layer,
            n_head=a.n_head,
            n_head_kv=a.n_head_kv,
            key_length=a.key_length,
            value_length=a.value_length,
            n_embd=a.n_embd,
            n_vocab=a.n_vocab,
            context_length=entry.context_length,
            sliding_window=a.sliding_window,
            n_swa_layers=a.n_swa_layers,
        )


@dataclass(frozen=True)
class RuntimeSettings:
    """How the backend sets up the context; the defaults are what the llama.cpp backend asks for.

    ``swa_full=None`` follows the backend's rule for the context length at hand (a full-size
    sliding-window cache up to 32k tokens, a windowed one beyond: see
    :mod:`engine.backends.kv_cache`); ``True``/``False`` force one layout.
    """

    n_ubatch: int = LoadParams.n_batch
    swa_full: bool | None = None
    flash_attention: bool = FLASH_ATTENTION
    kv_type_size: float = F16_BYTES

    def full_swa_at(self, n_ctx: int) -> bool:
        return use_full_swa_cache(n_ctx) if self.swa_full is None else self.swa_full

    @classmethod
    def for_backend(cls, backend: str) -> RuntimeSettings:
        if backend == "mlx":
            # mlx-lm keeps a rotating cache of the window for sliding layers and computes
            # attention fused, without a scores matrix the size of the context.
            return cls(swa_full=False, flash_attention=True)
        return cls()


@dataclass(frozen=True)
class MachineMemory:
    total_bytes: int
    available_bytes: int
    # The GPU shares this memory (Apple silicon): there is no separate VRAM to offload into.
    unified: bool = False
    vram_total_bytes: int | None = None
    vram_free_bytes: int | None = None
    gpu_name: str | None = None
    source: str = ""

    def __post_init__(self) -> None:
        if self.total_bytes <= 0 or self.available_bytes < 0:
            raise FitError("memory sizes must be positive")


@dataclass(frozen=True)
class FitEstimate:
    """Every number behind a verdict, in bytes."""

    n_ctx: int
    context_length: int
    weights_bytes: int
    kv_bytes_per_token: float
    kv_bytes_per_token_full: float
    kv_bytes_per_token_windowed: float
    kv_window_bytes: int
    kv_bytes: int
    swa_full: bool
    flash_attention: bool
    compute_bytes: int
    runtime_bytes: int
    overhead_bytes: int
    total_bytes: int
    available_bytes: int
    total_ram_bytes: int
    unified_memory: bool
    vram_free_bytes: int | None
    fits_in_vram: bool | None
    verdict: str
    reason: str

    @property
    def headroom_bytes(self) -> int:
        return self.available_bytes - self.total_bytes

    @property
    def exceeds_context_length(self) -> bool:
        return bool(self.context_length) and self.n_ctx > self.context_length

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["headroom_bytes"] = self.headroom_bytes
        data["exceeds_context_length"] = self.exceeds_context_length
        return data


def kv_cache_bytes(
    arch: ArchFacts, n_ctx: int, settings: RuntimeSettings = RuntimeSettings()
) -> tuple[int, int]:
    """(total KV bytes at ``n_ctx``, of which the fixed sliding-window part)."""
    cells = _pad(n_ctx)
    per_layer_token = arch.kv_bytes_per_layer_token(settings.kv_type_size)
    windowed = arch.sliding_window and arch.n_swa_layers and not settings.full_swa_at(n_ctx)
    if not windowed:
        return math.ceil(per_layer_token * arch.n_layer * cells), 0
    # llama.cpp sizes the windowed cache for the window plus one micro-batch, in whole blocks.
    window_cells = min(cells, _pad(arch.sliding_window + settings.n_ubatch))
    window = math.ceil(per_layer_token * arch.n_swa_layers * window_cells)
    return math.ceil(per_layer_token * arch.n_full_layers * cells) + window, window


def compute_buffer_bytes(
    arch: ArchFacts, n_ctx: int, settings: RuntimeSettings = RuntimeSettings()
) -> int:
    ubatch = settings.n_ubatch
    logits = arch.n_vocab * ubatch * F32_BYTES
    scores = 0.0
    if not settings.flash_attention:
        scores = ATTENTION_SCRATCH_FACTOR * _pad(n_ctx) * ubatch * arch.n_head * F32_BYTES
    activations = ACTIVATION_TENSORS * ubatch * arch.n_embd * F32_BYTES
    return math.ceil(max(logits, scores)) + activations


def _verdict(total: int, machine: MachineMemory) -> tuple[str, str]:
    available = machine.available_bytes
    if total <= FITS_SHARE * available:
        verdict, reason = (
            FITS,
            (
                f"needs {format_bytes(total)} of the {format_bytes(available)} available, "
                f"leaving {format_bytes(available - total)}"
            ),
        )
    elif total <= available:
        verdict, reason = (
            TIGHT,
            (
                f"needs {format_bytes(total)} of the {format_bytes(available)} available: "
                f"less than {round((1 - FITS_SHARE) * 100)}% would stay free"
            ),
        )
    elif total <= TOTAL_RAM_SHARE * machine.total_bytes:
        verdict, reason = (
            TIGHT,
            (
                f"needs {format_bytes(total)} but only {format_bytes(available)} is free now; "
                f"closing other programs would make room (the machine has "
                f"{format_bytes(machine.total_bytes)})"
            ),
        )
    else:
        verdict, reason = (
            WONT_FIT,
            (
                f"needs {format_bytes(total)}, more than this machine can spare "
                f"({format_bytes(available)} available of {format_bytes(machine.total_bytes)})"
            ),
        )
    if verdict == FITS and machine.unified and total > UNIFIED_GPU_SHARE * machine.total_bytes:
        verdict = TIGHT
        reason += (
            f"; but the GPU can use only about {round(UNIFIED_GPU_SHARE * 100)}% of unified "
            "memory, so part of it would run on the CPU"
        )
    return verdict, reason


def estimate(
    weights_bytes: int,
    arch: ArchFacts,
    n_ctx: int,
    machine: MachineMemory,
    settings: RuntimeSettings = RuntimeSettings(),
) -> FitEstimate:
    """The memory ``arch`` needs at ``n_ctx`` tokens with these weights, against ``machine``."""
    if n_ctx <= 0:
        raise FitError("the context length must be a positive number of tokens")
    if weights_bytes <= 0:
        raise FitError("the weights size must be positive")
    per_layer_token = arch.kv_bytes_per_layer_token(settings.kv_type_size)
    per_token_full = per_layer_token * arch.n_layer
    per_token_windowed = per_layer_token * arch.n_full_layers
    kv, window = kv_cache_bytes(arch, n_ctx, settings)
    compute = compute_buffer_bytes(arch, n_ctx, settings)
    overhead = compute + RUNTIME_BYTES
    total = weights_bytes + kv + overhead
    verdict, reason = _verdict(total, machine)
    fits_in_vram: bool | None = None
    if machine.vram_free_bytes is not None:
        # Only the weights, cache and compute buffers move to the GPU; the process stays.
        fits_in_vram = total - RUNTIME_BYTES <= FITS_SHARE * machine.vram_free_bytes
    return FitEstimate(
        n_ctx=n_ctx,
        context_length=arch.context_length,
        weights_bytes=weights_bytes,
        kv_bytes_per_token=per_token_windowed if window else per_token_full,
        kv_bytes_per_token_full=per_token_full,
        kv_bytes_per_token_windowed=per_token_windowed,
        kv_window_bytes=window,
        kv_bytes=kv,
        swa_full=settings.full_swa_at(n_ctx),
        flash_attention=settings.flash_attention,
        compute_bytes=compute,
        runtime_bytes=RUNTIME_BYTES,
        overhead_bytes=overhead,
        total_bytes=total,
        available_bytes=machine.available_bytes,
        total_ram_bytes=machine.total_bytes,
        unified_memory=machine.unified,
        vram_free_bytes=machine.vram_free_bytes,
        fits_in_vram=fits_in_vram,
        verdict=verdict,
        reason=reason,
    )


# ------------------------------------------------------------------------- memory detection


def parse_meminfo(text: str) -> tuple[int, int]:
    """(total, available) bytes from Linux ``/proc/meminfo``."""
    fields: dict[str, int] = {}
    for line in text.splitlines():
        m = re.match(r"(\w+):\s+(\d+)\s*kB", line)
        if m:
            fields[m.group(1)] = int(m.group(2)) * KIB
    if "MemTotal" not in fields:
        raise FitError("/proc/meminfo has no MemTotal")
    available = fields.get("MemAvailable")
    if available is None:
        # Kernels before 3.14 lack MemAvailable; free plus reclaimable caches approximates it.
        available = sum(fields.get(k, 0) for k in ("MemFree", "Buffers", "Cached"))
    return fields["MemTotal"], available


def parse_vm_stat(text: str) -> int:
    """Bytes macOS could hand out now, from ``vm_stat``: free, inactive, speculative, purgeable.

    Inactive and purgeable pages are reclaimed without swapping, so they count as available,
    the way Activity Monitor's memory pressure sees them.
    """
    m = re.search(r"page size of (\d+) bytes", text)
    page = int(m.group(1)) if m else 4096
    pages = 0
    for label in ("Pages free", "Pages inactive", "Pages speculative", "Pages purgeable"):
        m = re.search(rf"{label}:\s+(\d+)", text)
        if m:
            pages += int(m.group(1))
    return pages * page


def parse_nvidia_smi(text: str) -> tuple[int, int, str] | None:
    """(total, free, names) over every GPU in ``nvidia-smi --query-gpu=...`` CSV (MiB)."""
    total = free = 0
    names: list[str] = []
    for line in text.strip().splitlines():
        parts = [p.strip() for p in line.split(",")]
        if len(parts) != 3:
            continue
        try:
            total += int(float(parts[1])) * MIB
            free += int(float(parts[2])) * MIB
        except ValueError:
            continue
        names.append(parts[0])
    return (total, free, ", ".join(names)) if names else None


def _run(cmd: list[str]) -> str | None:
    return run_system_tool(cmd, PROBE_TIMEOUT)


def _nvidia_vram() -> tuple[int, int, str] | None:
    exe = shutil.which("nvidia-smi")
    if exe is None:
        return None
    out = _run([exe, "--query-gpu=name,memory.total,memory.free", "--format=csv,noheader,nounits"])
    return parse_nvidia_smi(out) if out else None


def _linux() -> tuple[int, int]:
    return parse_meminfo(Path("/proc/meminfo").read_text("ascii", errors="replace"))


def _macos() -> tuple[int, int]:
    total_text = _run(["sysctl", "-n", "hw.memsize"])
    stat_text = _run(["vm_stat"])
    if not total_text or not stat_text:
        raise FitError("sysctl or vm_stat gave no answer")
    return int(total_text.strip()), parse_vm_stat(stat_text)


def _windows() -> tuple[int, int]:
    class MEMORYSTATUSEX(ctypes.Structure):
        _fields_ = (
            ("dwLength", ctypes.c_ulong),
            ("dwMemoryLoad", ctypes.c_ulong),
            ("ullTotalPhys", ctypes.c_ulonglong),
            ("ullAvailPhys", ctypes.c_ulonglong),
            ("ullTotalPageFile", ctypes.c_ulonglong),
            ("ullAvailPageFile", ctypes.c_ulonglong),
            ("ullTotalVirtual", ctypes.c_ulonglong),
            ("ullAvailVirtual", ctypes.c_ulonglong),
            ("ullAvailExtendedVirtual", ctypes.c_ulonglong),
        )

    status = MEMORYSTATUSEX()
    status.dwLength = ctypes.sizeof(MEMORYSTATUSEX)
    windll = getattr(ctypes, "windll", None)
    if windll is None or not windll.kernel32.GlobalMemoryStatusEx(ctypes.byref(status)):
        raise FitError("GlobalMemoryStatusEx failed")
    return int(status.ullTotalPhys), int(status.ullAvailPhys)


def _posix_sysconf() -> tuple[int, int]:
    page = os.sysconf("SC_PAGE_SIZE")
    total = os.sysconf("SC_PHYS_PAGES") * page
    try:
        available = os.sysconf("SC_AVPHYS_PAGES") * page
    except (ValueError, OSError):
        available = total
    return total, available


def detect_memory(*, probe_gpu: bool = True) -> MachineMemory:
    """This machine's RAM (total and available now) and, where cheap to learn, its VRAM."""
    system = sys.platform
    source = system
    try:
        if system.startswith("linux"):
            total, available = _linux()
            source = "/proc/meminfo"
        elif system == "darwin":
            total, available = _macos()
            source = "sysctl hw.memsize, vm_stat"
        elif system == "win32":
            total, available = _windows()
            source = "GlobalMemoryStatusEx"
        else:
            total, available = _posix_sysconf()
            source = "sysconf"
    except (OSError, ValueError, FitError) as exc:
        try:
            total, available = _posix_sysconf()
        except (AttributeError, OSError, ValueError):
            raise FitError(f"cannot read this machine's memory size: {exc}") from None
        source = "sysconf"
    unified = system == "darwin" and platform.machine().lower() == "arm64"
    gpu = _nvidia_vram() if probe_gpu and not unified else None
    return MachineMemory(
        total_bytes=total,
        available_bytes=available,
        unified=unified,
        vram_total_bytes=gpu[0] if gpu else None,
        vram_free_bytes=gpu[1] if gpu else None,
        gpu_name=gpu[2] if gpu else ("Apple GPU (unified memory)" if unified else None),
        source=source,
    )


# ---------------------------------------------------------------------------- entry points


_SHARD = re.compile(r"^(?P<stem>.+)-(?P<i>\d{5})-of-(?P<n>\d{5})\.gguf$")


def gguf_weights_bytes(path: Path) -> int:
    """The size of a GGUF model: the file, or every shard of a split model."""
    m = _SHARD.match(path.name)
    if not m:
        return path.stat().st_size
    count = int(m.group("n"))
    total = 0
    for i in range(1, count + 1):
        shard = path.with_name(f"{m.group('stem')}-{i:05d}-of-{count:05d}.gguf")
        try:
            total += shard.stat().st_size
        except OSError:
            raise FitError(f"shard {shard.name} of the split model is missing") from None
    return total


def fit_for_path(
    path: str | Path,
    n_ctx: int,
    machine: MachineMemory | None = None,
    settings: RuntimeSettings | None = None,
) -> FitEstimate:
    """The estimate for a local GGUF file: its size, and its architecture from its header.

    Raises :class:`engine.gguf_header.GGUFError` for a file that is not a readable GGUF.
    """
    p = Path(path).expanduser()
    arch = ArchFacts.from_header(read_header(p))
    return estimate(
        gguf_weights_bytes(p),
        arch,
        n_ctx,
        machine or detect_memory(),
        settings or RuntimeSettings(),
    )


def fit_for_entry(
    entry: CatalogEntry,
    n_ctx: int,
    machine: MachineMemory | None = None,
    settings: RuntimeSettings | None = None,
) -> FitEstimate:
    """The estimate for a catalog entry before anything is downloaded."""
    if entry.size_bytes <= 0:
        raise FitError(f"the size of {entry.name} is not known")
    return estimate(
        entry.size_bytes,
        ArchFacts.from_entry(entry),
        n_ctx,
        machine or detect_memory(),
        settings or RuntimeSettings.for_backend(entry.backend),
    )


def format_bytes(n: float) -> str:
    """Binary units, as memory is sized: ``11.3 GiB``, ``24.0 KiB``."""
    value = float(n)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if abs(value) < 1024 or unit == "GiB":
            break
        value /= 1024
    return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
