"""Importing the llama.cpp build that ``engine.gpu`` chooses, once per worker process.

A process holds one llama.cpp: the first ``import llama_cpp`` decides which native libraries
are loaded, for the chat model and the guard model alike. So the worker calls :func:`activate`
with the user's ``gpu_backend`` before it makes its first llama.cpp backend. A variant is
imported by putting its folder first on ``sys.path``; one that fails to load (a CUDA build on
a machine whose driver is missing or too old) is taken out again, the CPU build is imported
instead, and the reason is kept for the ``loaded`` event.

What is reported comes from the library that was loaded, not from the choice alone: ggml's
device list says which GPU llama.cpp will offload to, or that it found none.
"""

from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import importlib
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine import gpu

# ggml_backend_dev_type: CPU 0, GPU 1, IGPU 2 (llama.cpp offloads to an integrated GPU only
# when there is no discrete one), ACCEL 3.
_DEV_GPU = 1
_DEV_IGPU = 2
# Where llama-cpp-python's bindings load libllama from, when set.
_LIB_PATH_ENV = "LLAMA_CPP_LIB_PATH"
# ggml's backend registry names, as llama.cpp's builds register them.
_REG_DEVICES = {"cuda": "cuda", "vulkan": "vulkan", "metal": "metal", "mtl": "metal"}


@dataclass(frozen=True)
class Runtime:
    """The llama.cpp this process runs: where offloaded layers go, and why."""

    device: str  # "cpu", "cuda", "vulkan" or "metal"
    device_name: str  # the GPU as llama.cpp names it; "" on the CPU
    note: str  # one line for people: "CPU: no GPU found", "CUDA: NVIDIA GeForce RTX 4090"…
    preference: str  # the gpu_backend asked for when the build was chosen
    fallback: bool = False  # a GPU was asked for and could not be had

    @property
    def offloads(self) -> bool:
        return self.device != "cpu"


_runtime: Runtime | None = None


def activate(preference: str = "auto") -> Runtime:
    """Choose, import and describe the llama.cpp build; later calls return the first answer.

    Raises ValueError for an unknown preference. A build that cannot be imported at all is not
    an error here: the backend reports it when it is made.
    """
    if preference not in gpu.PREFERENCES:
        raise ValueError(f"unknown GPU backend {preference!r}: one of {', '.join(gpu.PREFERENCES)}")
    if _runtime is not None:
        return _runtime
    if "llama_cpp" in sys.modules:  # imported before any choice: say what that build does
        return current()
    builds = gpu.installed_variants()
    # Forcing the CPU skips detection: the way out when a GPU driver misbehaves.
    detected, problem = ([], "") if preference == "cpu" else gpu.probe_gpus()
    choice = gpu.choose_backend(builds, detected, preference)
    if problem and choice.device == "cpu":
        choice = dataclasses.replace(choice, reason=f"CPU: {problem}")
    failure = _import(builds.get(choice.build)) if choice.build in builds else "not installed"
    cpu_build = gpu.choose_backend(builds, [], "cpu").build
    if failure and choice.build != cpu_build:
        label = gpu.DEVICE_NAMES.get(choice.build, choice.build)
        reason = f"CPU: the {label} build could not be loaded ({failure})"
        choice = gpu.Choice("cpu", cpu_build, reason, None, True)
        failure = _import(builds.get(cpu_build)) if cpu_build in builds else "not installed"
    if failure:  # no llama.cpp at all: the backend says so when it is made
        return _remember(Runtime("cpu", "", f"CPU: {failure}", preference, choice.fallback))
    return _remember(_describe(choice, preference))


def current() -> Runtime:
    """The runtime of the llama.cpp imported in this process (importing the default build if
    none was chosen, as backends made outside a worker do)."""
    if _runtime is not None:
        return _runtime
    devices = _gpu_devices(importlib.import_module("llama_cpp"))
    if not devices:
        return _remember(Runtime("cpu", "", "CPU: this llama.cpp build has no GPU backend", "auto"))
    kind, name = devices[0]
    choice = gpu.Choice(kind, kind, f"{gpu.DEVICE_NAMES.get(kind, kind)}: {name}")
    return _remember(_describe(choice, "auto"))


def _remember(runtime: Runtime) -> Runtime:
    global _runtime
    _runtime = runtime
    return runtime


def _import(folder: Path | None) -> str | None:
    """Import llama_cpp with the native library of ``folder`` when given (else the installed
    one); the failure in words, or None.

    The folder goes first on ``sys.path``, so its own bindings are imported. When the installed
    bindings are known to be the variant's release (``installed_variants`` compared them),
    ``LLAMA_CPP_LIB_PATH``, the bindings' own override, points at the variant's libraries too:
    a frozen app's importer serves the bindings from its archive whatever ``sys.path`` says.
    """
    saved = os.environ.get(_LIB_PATH_ENV)
    if folder is not None:
        sys.path.insert(0, str(folder))
        if gpu.bindings_version() is not None:
            os.environ[_LIB_PATH_ENV] = str(folder / "llama_cpp" / "lib")
    try:
        module = importlib.import_module("llama_cpp")
    except (ImportError, OSError, RuntimeError) as exc:
        # The bindings load their libraries at import: a missing libcuda or libcudart is an
        # OSError wrapped in a RuntimeError. Forget the half-imported package so the next
        # import starts clean.
        for name in [m for m in sys.modules if m == "llama_cpp" or m.startswith("llama_cpp.")]:
            del sys.modules[name]
        if folder is not None:
            sys.path.remove(str(folder))
        _restore_lib_path(saved)
        return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if folder is None:
        return None
    loaded = Path(module.llama_cpp._lib._name).resolve()
    if loaded.is_relative_to(folder.resolve()):
        return None
    _restore_lib_path(saved)
    return f"libllama was loaded from {loaded.parent}"


def _restore_lib_path(saved: str | None) -> None:
    if saved is None:
        os.environ.pop(_LIB_PATH_ENV, None)
    else:
        os.environ[_LIB_PATH_ENV] = saved


def _describe(choice: gpu.Choice, preference: str) -> Runtime:
    if choice.device == "cpu":
        return Runtime("cpu", "", choice.reason, preference, choice.fallback)
    devices = _gpu_devices(importlib.import_module("llama_cpp"))
    label = gpu.DEVICE_NAMES.get(choice.device, choice.device)
    if not devices:
        reason = f"CPU: the {label} build found no GPU it can use"
        return Runtime("cpu", "", reason, preference, True)
    names = [name for _kind, name in devices]
    shown = names[0] + (f" +{len(names) - 1}" if len(names) > 1 else "")
    return Runtime(choice.device, shown, choice.reason, preference, choice.fallback)


def _gpu_devices(llama_cpp: Any) -> list[tuple[str, str]]:
    """(device kind, name) of the GPUs llama.cpp will offload to, discrete ones first."""
    ggml = _ggml(llama_cpp)
    if ggml is None:
        return []
    found: dict[int, list[tuple[str, str]]] = {_DEV_GPU: [], _DEV_IGPU: []}
    for index in range(ggml.ggml_backend_dev_count()):
        dev = ggml.ggml_backend_dev_get(index)
        kind = ggml.ggml_backend_dev_type(dev)
        if kind not in found:
            continue
        reg = (ggml.ggml_backend_reg_name(ggml.ggml_backend_dev_backend_reg(dev)) or b"").decode()
        description = (ggml.ggml_backend_dev_description(dev) or b"").decode("utf-8", "replace")
        name = description or (ggml.ggml_backend_dev_name(dev) or b"").decode()
        found[kind].append((_REG_DEVICES.get(reg.lower(), reg.lower()), name))
    return found[_DEV_GPU] or found[_DEV_IGPU]


def _ggml(llama_cpp: Any) -> Any:
    """ggml's device API, typed; None when it cannot be reached.

    llama-cpp-python binds none of it. On Linux and macOS, symbols looked up through
    libllama's handle include its dependencies, the ggml that is already loaded; on Windows a
    DLL exports only its own, so ggml.dll beside llama.dll is asked (already loaded: the same).
    """
    lib = llama_cpp.llama_cpp._lib
    candidates = [lib]
    if sys.platform == "win32":
        with contextlib.suppress(OSError):
            candidates.append(ctypes.CDLL(str(Path(lib._name).parent / "ggml.dll")))
    for ggml in candidates:
        try:
            ggml.ggml_backend_dev_count.restype = ctypes.c_size_t
            ggml.ggml_backend_dev_count.argtypes = ()
        except AttributeError:
            continue
        ggml.ggml_backend_dev_get.restype = ctypes.c_void_p
        ggml.ggml_backend_dev_get.argtypes = (ctypes.c_size_t,)
        ggml.ggml_backend_dev_type.restype = ctypes.c_int
        ggml.ggml_backend_dev_backend_reg.restype = ctypes.c_void_p
        for fn in ("ggml_backend_dev_name", "ggml_backend_dev_description"):
            getattr(ggml, fn).restype = ctypes.c_char_p
        ggml.ggml_backend_reg_name.restype = ctypes.c_char_p
        for fn in (
            "ggml_backend_dev_type",
            "ggml_backend_dev_backend_reg",
            "ggml_backend_dev_name",
            "ggml_backend_dev_description",
            "ggml_backend_reg_name",
        ):
            getattr(ggml, fn).argtypes = (ctypes.c_void_p,)
        return ggml
    return None
