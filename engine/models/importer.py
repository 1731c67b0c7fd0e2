"""Check a model before it is registered, without loading it.

A GGUF file is read with :func:`engine.gguf_header.read_layout` (header, metadata, tensor table,
data bounds, all with bounded time and memory) and its architecture is looked up among those
the installed llama.cpp knows. Nothing is ever handed to llama.cpp in this process: a broken or
hostile file must fail here with a one-line reason, not crash the app. An MLX model folder is
checked by :func:`engine.backends.mlx_folder.read_mlx_folder`.

What this does not check: model-level requirements that only llama.cpp's loader knows (every
tensor an architecture needs, hyperparameters in range) and, for gpt-oss, the harmony special
tokens; the worker checks those when it loads the model and reports a clear error.

Where the architecture list comes from
--------------------------------------
llama.cpp has no C API listing its architectures, but its library exports the C++ function
``llm_arch_name(llm_arch)`` (the name of each enum value; ``"(unknown)"`` for the last one,
``LLM_ARCH_UNKNOWN``). :func:`llama_cpp_architectures` calls it through ctypes for 0, 1, 2, …
until it answers ``"(unknown)"``, in the library that llama-cpp-python itself loaded, so the
list is exactly what the worker's llama.cpp will accept. Builds that do not export that symbol
(MSVC exports only the C API) fall back to :data:`ARCHITECTURES`, the names of the llama.cpp
that llama-cpp-python 0.3.36 bundles, keeping those whose name appears as a string in the
library file (a newer or older build knows a different set).

Asking the library means loading it, which costs the app's window process about 27 MB and a few
hundred milliseconds for a list that changes only with llama.cpp itself. So the list is kept in
the cache folder, keyed by the library file's path, size and modification time, and libllama is
loaded here only when that key changes (a first start, an update of llama-cpp-python).
"""

from __future__ import annotations

import ctypes
import functools
import importlib.util
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.atomic import write_text_atomic
from engine.backends.mlx_folder import MlxFolderError, read_mlx_folder
from engine.gguf_header import GGML_TYPES, GGUFError, GGUFLayout, read_layout, shown
from engine.models.kinds import is_embedding_model
from engine.paths import app_paths

# llama_ftype values (general.file_type) and their names in llama.cpp.
FILE_TYPES: dict[int, str] = {
    0: "F32",
    1: "F16",
    2: "Q4_0",
    3: "Q4_1",
    7: "Q8_0",
    8: "Q5_0",
    9: "Q5_1",
    10: "Q2_K",
    11: "Q3_K_S",
    12: "Q3_K_M",
    13: "Q3_K_L",
    14: "Q4_K_S",
    15: "Q4_K_M",
    16: "Q5_K_S",
    17: "Q5_K_M",
    18: "Q6_K",
    19: "IQ2_XXS",
    20: "IQ2_XS",
    21: "Q2_K_S",
    22: "IQ3_XS",
    23: "IQ3_XXS",
    24: "IQ1_S",
    25: "IQ4_NL",
    26: "IQ3_S",
    27: "IQ3_M",
    28: "IQ2_S",
    29: "IQ2_M",
    30: "IQ4_XS",
    31: "IQ1_M",
    32: "BF16",
    36: "TQ1_0",
    37: "TQ2_0",
    38: "MXFP4_MOE",
    39: "NVFP4",
    40: "Q1_0",
    41: "Q2_0",
}
_FILE_TYPE_GUESSED = 1024  # a flag llama.cpp ORs in when it inferred the type

# The architectures of the llama.cpp bundled with llama-cpp-python 0.3.36 (its LLM_ARCH names),
# used only when the library cannot be asked directly (see the module docstring).
ARCHITECTURES: tuple[str, ...] = (
    "afmoe", "apertus", "arcee", "arctic", "arwkv7", "baichuan", "bailingmoe", "bailingmoe2",
    "bailingmoe3", "bert", "bitnet", "bloom", "chameleon", "chatglm", "clip", "codeshell",
    "cogvlm", "cohere2", "cohere2moe", "command-r", "dbrx", "deci", "deepseek", "deepseek2",
    "deepseek2-ocr", "deepseek32", "deepseek4", "dflash", "dots1", "dots3note", "dream",
    "eagle3", "ernie4_5", "ernie4_5-moe", "eurobert", "exaone", "exaone-moe", "exaone4",
    "falcon", "falcon-h1", "gemma", "gemma-embedding", "gemma2", "gemma3", "gemma3n", "gemma4",
    "gemma4-assistant", "glm-dsa", "glm4", "glm4moe", "glm5-next", "gpt-oss", "gpt2", "gptj",
    "gptneox", "granite", "granite_swa", "granitehybrid", "granitemoe", "graniteswitch", "grok",
    "grovemoe", "hrm_text", "hunyuan-dense", "hunyuan-moe", "hunyuan_vl", "hy_v3", "hy_v4",
    "internlm2", "jais", "jais2", "jamba", "jina-bert-v2", "jina-bert-v3", "kimi-k3",
    "kimi-linear", "laguna", "lfm2", "lfm2moe", "llada", "llada-moe", "llama", "llama-embed",
    "llama4", "maincoder", "mamba", "mamba2", "maple", "mellum", "mimo2", "minicpm", "minicpm3",
    "minimax-01", "minimax-m2", "minimax-m3", "mistral3", "mistral4", "modern-bert", "mpt",
    "muse-glimmer", "nanbeige", "nemotron", "nemotron_h", "nemotron_h_moe", "neo-bert",
    "nomic-bert", "nomic-bert-moe", "olmo", "olmo2", "olmoe", "openelm", "orion", "paddleocr",
    "pangu-embedded", "phi2", "phi3", "phimoe", "plamo", "plamo2", "plamo3", "plm", "pockettts",
    "qwen", "qwen2", "qwen2moe", "qwen2vl", "qwen3", "qwen35", "qwen35moe", "qwen3moe",
    "qwen3next", "qwen3tts", "qwen3vl", "qwen3vlmoe", "qwen4exp", "refact", "rnd1", "rwkv6",
    "rwkv6qwen2", "rwkv7", "seed_oss", "smallthinker", "smollm3", "spark2_5", "stablelm",
    "starcoder", "starcoder2", "step35", "t5", "t5encoder", "talkie", "wavtokenizer-dec",
    "xverse",
)  # fmt: skip

_ARCH_NAME_SYMBOL = "_Z13llm_arch_name8llm_arch"  # llm_arch_name(llm_arch), Itanium C++ ABI
_ARCH_UNKNOWN = "(unknown)"
_MAX_ARCH_ENUM = 4096  # far above the ~150 of today; stops a library that never says "(unknown)"
_MAX_LIBRARY_BYTES = 512 * 1024 * 1024


@dataclass(frozen=True)
class KnownArchitectures:
    names: frozenset[str]
    source: str  # where the list came from, for messages and diagnostics


@dataclass(frozen=True)
class ImportCheck:
    """The verdict on one model file or folder; ``message`` is one line either way."""

    ok: bool
    message: str
    path: Path
    architecture: str = ""
    name: str = ""
    quantisation: str = ""
    context_length: int = 0
    n_params: int | None = None
    size: int = 0
    backend: str = "llamacpp"
    # An embedding model (document search), not a chat model (engine.models.kinds).
    embedding: bool = False


def _llama_library() -> Any:
    """The ctypes handle of the libllama that llama-cpp-python loaded, or None."""
    try:
        from llama_cpp import llama_cpp as bindings
    except Exception:  # missing, or a native library that failed to load
        return None
    return getattr(bindings, "_lib", None)


def _names_from_symbol(lib: Any) -> frozenset[str] | None:
    try:
        fn = getattr(lib, _ARCH_NAME_SYMBOL)
    except AttributeError:
        return None
    fn.restype = ctypes.c_char_p
    fn.argtypes = [ctypes.c_int]
    names: set[str] = set()
    for value in range(_MAX_ARCH_ENUM):
        raw = fn(value)
        name = raw.decode("utf-8", errors="replace") if raw else ""
        if name == _ARCH_UNKNOWN:
            return frozenset(names)
        if name and name != "unknown":  # "unknown" marks a gap in the enum
            names.add(name)
    return None  # never reached the end marker: not the function we think it is


def _names_from_file(path: Path) -> frozenset[str] | None:
    try:
        with path.open("rb") as fh:
            data = fh.read(_MAX_LIBRARY_BYTES)
    except OSError:
        return None
    # The linker may store a name as the tail of a longer string ("bert" in "nomic-bert"), so
    # only the terminating NUL is looked for.
    names = frozenset(n for n in ARCHITECTURES if n.encode() + b"\0" in data)
    return names or None


def _find_architectures() -> KnownArchitectures | None:
    lib = _llama_library()
    if lib is None:
        return None
    names = _names_from_symbol(lib)
    if names:
        return KnownArchitectures(names, "llama.cpp (llm_arch_name)")
    lib_path = Path(getattr(lib, "_name", "") or "")
    names = _names_from_file(lib_path) if lib_path.name else None
    if names:
        return KnownArchitectures(names, f"the built-in list, checked against {lib_path.name}")
    return None


CACHE_FILE = "llama-architectures.json"
_LIBRARY_NAMES = ("libllama.so", "libllama.dylib", "llama.dll")


def library_file() -> Path | None:
    """The libllama that ``import llama_cpp`` would load, found without importing it."""
    try:
        spec = importlib.util.find_spec("llama_cpp")
    except (ImportError, ValueError):
        return None
    for location in (spec.submodule_search_locations or []) if spec else []:
        for name in _LIBRARY_NAMES:
            path = Path(location) / "lib" / name
            if path.is_file():
                return path
    return None


def _library_key(path: Path) -> str:
    st = path.stat()
    return f"{path.resolve()}|{st.st_size}|{st.st_mtime_ns}"


def _read_cached(cache: Path, key: str) -> KnownArchitectures | None:
    try:
        data = json.loads(cache.read_text(encoding="utf-8"))
        if data.get("library") != key:
            return None
        names = data["names"]
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            return None
        return KnownArchitectures(frozenset(names), str(data["source"]))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None  # missing, unreadable or from another version: ask the library again


def _write_cached(cache: Path, key: str, known: KnownArchitectures) -> None:
    data = {"library": key, "source": known.source, "names": sorted(known.names)}
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomic(cache, json.dumps(data, indent=1) + "\n")
    except OSError:
        pass  # a read-only or full cache folder only costs asking the library next time


@functools.cache
def llama_cpp_architectures() -> KnownArchitectures | None:
    """The architectures the installed llama.cpp can load; None when llama.cpp is missing."""
    path = library_file()
    if path is None:
        return _find_architectures()
    key = _library_key(path)
    cache = app_paths().cache / CACHE_FILE
    known = _read_cached(cache, key)
    if known is None:
        known = _find_architectures()
        if known is not None:
            _write_cached(cache, key, known)
    return known


def quantisation_of(layout: GGUFLayout) -> str:
    """llama.cpp's name for the file type, or else the type holding most of the bytes."""
    ftype = layout.header.metadata.get("general.file_type")
    if isinstance(ftype, int) and not isinstance(ftype, bool):
        name = FILE_TYPES.get(ftype & ~_FILE_TYPE_GUESSED)
        if name:
            return name
    totals: dict[int, int] = {}
    for t in layout.tensors:
        totals[t.ggml_type] = totals.get(t.ggml_type, 0) + t.nbytes
    if not totals:
        return ""
    return GGML_TYPES[max(totals, key=lambda k: totals[k])][0]


def _params_label(n: int) -> str:
    for unit, scale in (("B", 10**9), ("M", 10**6), ("K", 10**3)):
        if n >= scale:
            return f"{n / scale:.1f}{unit}"
    return str(n)


def check_gguf(path: str | Path) -> ImportCheck:
    """Validate a GGUF file for import; never raises, whatever the file holds."""
    p = Path(path)
    try:
        layout = read_layout(p)
    except GGUFError as exc:
        return ImportCheck(False, exc.reason, p)
    meta = layout.header.metadata
    size = layout.file_size
    arch = meta.get("general.architecture")
    if arch is None:
        return ImportCheck(False, "no general.architecture in the metadata", p, size=size)
    if not isinstance(arch, str) or not arch:
        return ImportCheck(False, "general.architecture is not a name", p, size=size)
    if not layout.tensors:
        return ImportCheck(
            False, "the file holds no tensors (a vocabulary-only file?)", p, arch, size=size
        )
    known = llama_cpp_architectures()
    if known is None:
        return ImportCheck(
            False,
            f"cannot check architecture '{shown(arch)}': llama.cpp is not installed here",
            p,
            arch,
            size=size,
        )
    if arch not in known.names:
        return ImportCheck(
            False, f"unknown architecture '{shown(arch)}' for this llama.cpp", p, arch, size=size
        )
    header = layout.header
    quant = quantisation_of(layout)
    n_params = layout.n_params
    ctx = header.context_length
    summary = f"{arch}, {quant or 'unknown type'}, {_params_label(n_params)} parameters"
    if ctx:
        summary += f", context {ctx}"
    return ImportCheck(
        True,
        f"valid GGUF model ({summary})",
        p,
        architecture=arch,
        name=header.name,
        quantisation=quant,
        context_length=ctx,
        n_params=n_params,
        size=size,
        embedding=is_embedding_model(meta),
    )


def folder_size(path: Path) -> int:
    total = 0
    for f in path.rglob("*"):
        try:
            if f.is_file():
                total += f.stat().st_size
        except OSError:
            continue
    return total


def mlx_quantisation(config: dict[str, Any]) -> str:
    quant = config.get("quantization")
    if isinstance(quant, dict) and isinstance(quant.get("bits"), int):
        return f"{quant['bits']}-bit"
    dtype = config.get("torch_dtype") or config.get("dtype")
    return dtype if isinstance(dtype, str) else ""


def check_mlx_folder(path: str | Path) -> ImportCheck:
    """Validate an MLX model folder (config.json and weights) for import; never raises."""
    p = Path(path)
    try:
        folder = read_mlx_folder(p)
    except MlxFolderError as exc:
        return ImportCheck(False, str(exc), p, backend="mlx")
    except OSError as exc:
        return ImportCheck(False, f"cannot read the folder: {exc.strerror or exc}", p)
    quant = mlx_quantisation(folder.config)
    return ImportCheck(
        True,
        f"valid MLX model folder ({folder.model_type}{', ' + quant if quant else ''})",
        p,
        architecture=folder.model_type,
        name=p.name,
        quantisation=quant,
        context_length=folder.context_length,
        size=folder_size(p),
        backend="mlx",
    )


def check_model(path: str | Path) -> ImportCheck:
    """A GGUF file or an MLX folder, whichever ``path`` is."""
    p = Path(path)
    return check_mlx_folder(p) if p.is_dir() else check_gguf(p)
