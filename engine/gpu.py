"""Which GPU this machine has, and which build of llama.cpp should run models on it.

Design: one complete llama-cpp-python build per device ("variant": cpu, cuda, vulkan), each
in its own folder, and the worker picks one before its first ``import llama_cpp``
(``engine.backends.llamacpp_variant``). Rejected: a single build with ``GGML_BACKEND_DL=ON`` and
``GGML_CPU_ALL_VARIANTS=ON`` that loads ``libggml-cuda`` / ``libggml-vulkan`` /
``libggml-cpu-<cpu>`` at run time, because with llama-cpp-python 0.3.36:

- its bindings have no ``ggml_backend_load_all[_from_path]``, and ``Llama()`` only reaches
  ``llama_backend_init``, whose ``ggml_backend_load_all()`` searches the compile-time
  ``GGML_BACKEND_DIR``, the *executable's* folder (Python's, from source) and the current
  folder, plus one file named by ``GGML_BACKEND_PATH`` — never the package's ``lib/``; the
  libraries would have to be loaded by hand through ctypes;
- its CMake install rules copy a fixed list of targets (``ggml-cpu``, ``ggml-cuda``,
  ``ggml-vulkan``…) into ``llama_cpp/lib``, not the ``ggml-cpu-<variant>`` libraries;
- ggml's CPU-variant scoring picks the ``sapphirerapids`` library (AMX) on CPUs that advertise
  AMX: the very crash the portable build exists to avoid;
- a GPU backend built apart from the wheel must match its ggml to the commit and the flags.

A variant built whole (``packaging/gpu/build-llama-variant.sh``) is an ordinary, supported
llama-cpp-python build whose Python bindings and native libraries come from one build. A CUDA
variant that cannot be loaded (no driver) fails at import, before anything else is loaded, and
the worker then falls back to the CPU build.

Where variants live: ``$LANTERNA_LLAMA_VARIANTS_DIR`` when it is set; otherwise ``backends/``
beside the executable of a frozen app (what an installer ships), then ``llama-variants/`` in
the data folder (what a user builds from source). Each variant is a folder named after it
holding ``llama_cpp/`` and ``variant.json`` (``{"variant", "llama_cpp_python"}``), written last
by the build script. A variant counts only when built for the llama-cpp-python release the
app runs with (bindings and libraries of two releases disagree on structure layouts). The
llama-cpp-python installed with the app is the CPU build ("metal" on Apple silicon, where
llama-cpp-python always enables Metal); a ``cpu`` folder stands in for it where it is missing.

Detection never loads llama.cpp or a GUI toolkit: NVIDIA through ``nvidia-smi`` or the CUDA
driver library, Vulkan through its loader (listing physical devices, skipping CPU
implementations such as llvmpipe), Metal by platform. The user's choice (``gpu_backend`` in
settings: auto, cpu, cuda or vulkan) comes before detection; what cannot be had falls back to
the CPU with a reason in words.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import importlib.metadata
import importlib.util
import json
import os
import platform
import shutil
import subprocess
import sys
from collections.abc import Collection, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from engine.launcher import gpu_probe_command
from engine.paths import app_paths
from engine.system_env import run_system_tool

PREFERENCES = ("auto", "cpu", "cuda", "vulkan")
VARIANTS = ("cpu", "cuda", "vulkan")
VARIANTS_ENV = "LANTERNA_LLAMA_VARIANTS_DIR"
VARIANT_FILE = "variant.json"
DEVICE_NAMES = {"cpu": "CPU", "cuda": "CUDA", "vulkan": "Vulkan", "metal": "Metal"}
# GPU builds in the order "auto" tries them: CUDA is llama.cpp's fastest path on NVIDIA, Metal
# the only one on Apple silicon, Vulkan the one that reaches every other GPU.
_GPU_ORDER = ("cuda", "metal", "vulkan")
_SMI_TIMEOUT = 5.0


@dataclass(frozen=True)
class Gpu:
    """A GPU as one API sees it (an NVIDIA card appears once for CUDA and once for Vulkan)."""

    api: str  # "cuda", "vulkan" or "metal"
    vendor: str
    name: str
    memory_bytes: int | None = None  # dedicated memory (unified memory on Apple silicon)


@dataclass(frozen=True)
class Choice:
    """Where a model's layers go (``device``) and which build to import for it (``build``).

    They differ when the CPU is chosen on a machine whose only build is a GPU one (Metal on
    Apple silicon): that build runs with no layers offloaded. ``fallback`` says the user asked
    for a GPU that could not be had; ``reason`` says why in words.
    """

    device: str
    build: str
    reason: str
    gpu: Gpu | None = None
    fallback: bool = False


# ------------------------------------------------------------------ choosing


def choose_backend(
    available_variants: Collection[str], detected: Sequence[Gpu], preference: str = "auto"
) -> Choice:
    """The build and device for ``preference`` given the installed builds and detected GPUs."""
    if preference not in PREFERENCES:
        raise ValueError(f"unknown GPU backend {preference!r}: one of {', '.join(PREFERENCES)}")
    # The build that runs on the CPU: the CPU one, or on Apple silicon the Metal build with
    # nothing offloaded.
    only_metal = "metal" in available_variants and "cpu" not in available_variants
    cpu_build = "metal" if only_metal else "cpu"
    if preference == "cpu":
        return Choice("cpu", cpu_build, "CPU: asked for")
    forced = preference != "auto"
    for api in (preference,) if forced else _GPU_ORDER:
        gpu = _best(detected, api)
        if api in available_variants and gpu is not None:
            how = "asked for, " if forced else ""
            return Choice(api, api, f"{DEVICE_NAMES[api]}: {how}{gpu.name}", gpu)
    if forced:
        return Choice(
            "cpu", cpu_build, _unavailable(preference, available_variants, detected), fallback=True
        )
    return Choice("cpu", cpu_build, _why_cpu(available_variants, detected))


def _best(detected: Sequence[Gpu], api: str) -> Gpu | None:
    """The GPU of ``api`` llama.cpp would use first: the one with the most memory."""
    gpus = [g for g in detected if g.api == api]
    return max(gpus, key=lambda g: g.memory_bytes or 0) if gpus else None


def _unavailable(api: str, available: Collection[str], detected: Sequence[Gpu]) -> str:
    name = DEVICE_NAMES[api]
    if api not in available:
        return f"CPU: {name} was asked for but the {name} build is not installed"
    if api == "cuda":
        return f"CPU: {name} was asked for but no NVIDIA GPU was found"
    return f"CPU: {name} was asked for but no {name} GPU was found"


def _why_cpu(available: Collection[str], detected: Sequence[Gpu]) -> str:
    if not detected:
        return "CPU: no GPU found"
    # A GPU is there but no installed build reaches it: name the build that would.
    for api in _GPU_ORDER:
        gpu = _best(detected, api)
        if gpu is not None and api not in available:
            return f"CPU: {gpu.vendor} GPU found but the {DEVICE_NAMES[api]} build is not installed"
    return "CPU: no usable GPU found"


# ------------------------------------------------------------------ installed builds


def variants_dirs() -> list[Path]:
    """Folders that may hold variants, first match wins (see the module docstring)."""
    override = os.environ.get(VARIANTS_ENV)
    if override:
        return [Path(override).expanduser()]
    dirs = []
    if getattr(sys, "frozen", False):
        dirs.append(Path(sys.executable).resolve().parent / "backends")
    dirs.append(app_paths().data / "llama-variants")
    return dirs


def default_build() -> str:
    """What the llama-cpp-python installed with the app is built for."""
    return "metal" if _apple_silicon() else "cpu"


def installed_variants(dirs: Sequence[Path] | None = None) -> dict[str, Path | None]:
    """Importable builds by name; None stands for the one installed with the app."""
    builds: dict[str, Path | None] = {}
    if _importable("llama_cpp"):
        builds[default_build()] = None
    expected = bindings_version()
    for folder in variants_dirs() if dirs is None else dirs:
        for name in VARIANTS:
            if name not in builds and _is_variant(folder / name, name, expected):
                builds[name] = folder / name
    return builds


def _is_variant(path: Path, name: str, expected: str | None) -> bool:
    """A finished variant of this name, built for the bindings this app runs with.

    Bindings and libraries of different llama-cpp-python releases disagree on structure
    layouts, so a variant of another release would crash rather than fail cleanly.
    """
    try:
        info = json.loads((path / VARIANT_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(info, dict) or info.get("variant") != name:
        return False
    if expected is not None and info.get("llama_cpp_python") != expected:
        return False
    return (path / "llama_cpp" / "__init__.py").is_file()


def bindings_version() -> str | None:
    """The llama-cpp-python release installed with the app; None where its metadata is absent."""
    try:
        return importlib.metadata.version("llama_cpp_python")
    except importlib.metadata.PackageNotFoundError:  # a frozen app without metadata
        return None


def _importable(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


# ------------------------------------------------------------------ detection


def detect_gpus() -> list[Gpu]:
    """Every GPU that CUDA, Vulkan or Metal reaches on this machine."""
    return [*detect_nvidia(), *detect_vulkan(), *detect_metal()]


def probe_gpus(timeout: float = 30.0) -> tuple[list[Gpu], str]:
    """:func:`detect_gpus` run in a child process, and what went wrong ("" if nothing did).

    Asking a driver loads it into the asking process, and a broken one may crash or hang
    there; in a child that costs only the answer. The worker also keeps none of the drivers'
    libraries for a model that ends up on the CPU (Mesa's software Vulkan driver alone maps
    its LLVM, about 50 MB).
    """
    try:
        res = subprocess.run(
            gpu_probe_command(), capture_output=True, text=True, timeout=timeout, check=False
        )
    except (OSError, subprocess.SubprocessError) as exc:
        return [], f"GPU detection failed ({type(exc).__name__})"
    if res.returncode != 0:
        return [], f"GPU detection failed (exit code {res.returncode})"
    try:
        found = json.loads(res.stdout.strip().splitlines()[-1])
        return [Gpu(**item) for item in found], ""
    except (IndexError, ValueError, TypeError):
        return [], "GPU detection failed (unreadable answer)"


def probe_main() -> None:
    """The probe's side: one JSON line with every GPU found."""
    print(json.dumps([asdict(g) for g in detect_gpus()]), flush=True)


def _apple_silicon() -> bool:
    return sys.platform == "darwin" and platform.machine() == "arm64"


def detect_metal() -> list[Gpu]:
    if not _apple_silicon():
        return []
    name = _run(["sysctl", "-n", "machdep.cpu.brand_string"]).strip() or "Apple silicon"
    try:
        memory: int | None = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        memory = None
    return [Gpu("metal", "Apple", name, memory)]


# -------------------------------------------------- NVIDIA


def _cuda_driver_candidates() -> list[str]:
    """Names or paths under which the CUDA driver library may load."""
    if sys.platform == "win32":
        system = Path(os.environ.get("SYSTEMROOT", r"C:\Windows")) / "System32" / "nvcuda.dll"
        return [str(system)] if system.is_file() else []
    if sys.platform == "darwin":
        return []
    found = []
    # WSL2 maps the Windows driver's libraries here, not always into the loader's cache.
    wsl = Path("/usr/lib/wsl/lib/libcuda.so.1")
    if wsl.is_file():
        found.append(str(wsl))
    name = ctypes.util.find_library("cuda")
    if name:
        found.append(name)
    return found


def detect_nvidia() -> list[Gpu]:
    """NVIDIA GPUs that CUDA can use: none without the driver library CUDA loads."""
    candidates = _cuda_driver_candidates()
    if not candidates:
        return []
    # Native Linux: no kernel driver loaded means the library is there but no GPU is.
    if (
        sys.platform.startswith("linux")
        and not Path("/proc/driver/nvidia/version").exists()
        and not Path("/dev/dxg").exists()  # WSL2's GPU device
    ):
        return []
    smi = _nvidia_smi()
    if smi is not None:
        return smi
    return _cuda_driver_devices(candidates)


def _nvidia_smi() -> list[Gpu] | None:
    """GPUs as nvidia-smi lists them; None when it is missing or fails."""
    exe = shutil.which("nvidia-smi")
    if exe is None and Path("/usr/lib/wsl/lib/nvidia-smi").is_file():
        exe = "/usr/lib/wsl/lib/nvidia-smi"
    if exe is None:
        return None
    out = _run([exe, "--query-gpu=name,memory.total", "--format=csv,noheader,nounits"])
    gpus = []
    for line in out.splitlines():
        name, _, mib = line.rpartition(",")
        if not name.strip():
            continue
        memory = int(mib.strip()) * 1024 * 1024 if mib.strip().isdigit() else None
        gpus.append(Gpu("cuda", "NVIDIA", name.strip(), memory))
    return gpus or None


def _cuda_driver_devices(candidates: Sequence[str]) -> list[Gpu]:
    """GPUs through the CUDA driver API itself: what CUDA builds will see."""
    for candidate in candidates:
        try:
            cuda = ctypes.CDLL(candidate)
        except OSError:
            continue
        if cuda.cuInit(0) != 0:  # no device, or a driver too old for this GPU
            return []
        count = ctypes.c_int(0)
        if cuda.cuDeviceGetCount(ctypes.byref(count)) != 0:
            return []
        gpus = []
        for index in range(count.value):
            device = ctypes.c_int(0)
            if cuda.cuDeviceGet(ctypes.byref(device), index) != 0:
                continue
            name = ctypes.create_string_buffer(256)
            cuda.cuDeviceGetName(name, len(name), device)
            memory = ctypes.c_size_t(0)
            total = cuda.cuDeviceTotalMem_v2(ctypes.byref(memory), device) == 0
            label = name.value.decode("utf-8", "replace") or "NVIDIA GPU"
            gpus.append(Gpu("cuda", "NVIDIA", label, memory.value if total else None))
        return gpus
    return []


def _run(cmd: list[str]) -> str:
    """A tool's output, or "" when it is missing, fails or hangs."""
    return run_system_tool(cmd, _SMI_TIMEOUT) or ""


# -------------------------------------------------- Vulkan

_VK_VENDORS = {
    0x10DE: "NVIDIA",
    0x1002: "AMD",
    0x8086: "Intel",
    0x106B: "Apple",
    0x13B5: "Arm",
    0x5143: "Qualcomm",
    0x1010: "Imagination",
    0x10005: "Mesa",
}
_VK_TYPES = {0: "other", 1: "integrated", 2: "discrete", 3: "virtual", 4: "cpu"}
# Worth offloading to. "cpu" devices (llvmpipe, SwiftShader) and "other" are software
# renderers, slower than llama.cpp's own CPU code.
_VK_OFFLOAD = ("integrated", "discrete", "virtual")
# Offsets into the C structures, read from byte buffers so that the large, version-dependent
# structures need not be declared field by field (Vulkan 1.0 layout, stable since).
_PROPS_SIZE = 4096  # VkPhysicalDeviceProperties is 824 bytes on 64-bit platforms
_PROPS_VENDOR, _PROPS_TYPE, _PROPS_NAME = 8, 16, 20
_MEM_SIZE = 1024  # VkPhysicalDeviceMemoryProperties is 520 bytes
_MEM_HEAP_COUNT, _MEM_HEAPS, _MEM_HEAP_STRIDE = 260, 264, 16
_HEAP_DEVICE_LOCAL = 0x1


class _VkApplicationInfo(ctypes.Structure):
    _fields_ = (
        ("sType", ctypes.c_int),
        ("pNext", ctypes.c_void_p),
        ("pApplicationName", ctypes.c_char_p),
        ("applicationVersion", ctypes.c_uint32),
        ("pEngineName", ctypes.c_char_p),
        ("engineVersion", ctypes.c_uint32),
        ("apiVersion", ctypes.c_uint32),
    )


class _VkInstanceCreateInfo(ctypes.Structure):
    _fields_ = (
        ("sType", ctypes.c_int),
        ("pNext", ctypes.c_void_p),
        ("flags", ctypes.c_uint32),
        ("pApplicationInfo", ctypes.POINTER(_VkApplicationInfo)),
        ("enabledLayerCount", ctypes.c_uint32),
        ("ppEnabledLayerNames", ctypes.c_void_p),
        ("enabledExtensionCount", ctypes.c_uint32),
        ("ppEnabledExtensionNames", ctypes.c_void_p),
    )


def _vulkan_loader() -> ctypes.CDLL | None:
    if sys.platform == "darwin":  # Metal is the GPU API there; MoltenVK is not a target
        return None
    names = ["vulkan-1.dll"] if sys.platform == "win32" else ["libvulkan.so.1"]
    found = ctypes.util.find_library("vulkan-1" if sys.platform == "win32" else "vulkan")
    if found:
        names.append(found)
    for name in names:
        try:
            return ctypes.CDLL(name)
        except OSError:
            continue
    return None


def detect_vulkan() -> list[Gpu]:
    """GPUs the Vulkan loader lists, CPU implementations left out."""
    return [gpu for kind, gpu in vulkan_devices() if kind in _VK_OFFLOAD]


def vulkan_devices() -> list[tuple[str, Gpu]]:
    """Every physical device the Vulkan loader lists, with its type: "discrete",
    "integrated", "virtual", "cpu" or "other"."""
    vk = _vulkan_loader()
    if vk is None:
        return []
    vk.vkCreateInstance.restype = ctypes.c_int
    vk.vkCreateInstance.argtypes = (
        ctypes.POINTER(_VkInstanceCreateInfo),
        ctypes.c_void_p,
        ctypes.POINTER(ctypes.c_void_p),
    )
    vk.vkEnumeratePhysicalDevices.restype = ctypes.c_int
    vk.vkEnumeratePhysicalDevices.argtypes = (
        ctypes.c_void_p,
        ctypes.POINTER(ctypes.c_uint32),
        ctypes.POINTER(ctypes.c_void_p),
    )
    vk.vkGetPhysicalDeviceProperties.argtypes = (ctypes.c_void_p, ctypes.c_void_p)
    vk.vkGetPhysicalDeviceMemoryProperties.argtypes = (ctypes.c_void_p, ctypes.c_void_p)
    vk.vkDestroyInstance.argtypes = (ctypes.c_void_p, ctypes.c_void_p)

    app = _VkApplicationInfo(
        sType=0,  # VK_STRUCTURE_TYPE_APPLICATION_INFO
        pApplicationName=b"Lanterna",
        pEngineName=b"Lanterna",
        apiVersion=1 << 22,  # Vulkan 1.0: every loader and driver accepts it
    )
    info = _VkInstanceCreateInfo(sType=1, pApplicationInfo=ctypes.pointer(app))
    instance = ctypes.c_void_p()
    # No installable driver answers VK_ERROR_INCOMPATIBLE_DRIVER here: no Vulkan GPU.
    if vk.vkCreateInstance(ctypes.byref(info), None, ctypes.byref(instance)) != 0:
        return []
    try:
        count = ctypes.c_uint32(0)
        if vk.vkEnumeratePhysicalDevices(instance, ctypes.byref(count), None) != 0:
            return []
        handles = (ctypes.c_void_p * count.value)()
        if (
            count.value
            and vk.vkEnumeratePhysicalDevices(instance, ctypes.byref(count), handles) < 0
        ):
            return []
        return [_vk_device(vk, handle) for handle in handles[: count.value]]
    finally:
        vk.vkDestroyInstance(instance, None)


def _vk_device(vk: ctypes.CDLL, handle: int | None) -> tuple[str, Gpu]:
    props = (ctypes.c_ubyte * _PROPS_SIZE)()
    vk.vkGetPhysicalDeviceProperties(handle, props)
    type_id = int.from_bytes(bytes(props[_PROPS_TYPE : _PROPS_TYPE + 4]), sys.byteorder)
    kind = _VK_TYPES.get(type_id, "other")
    vendor_id = int.from_bytes(bytes(props[_PROPS_VENDOR : _PROPS_VENDOR + 4]), sys.byteorder)
    raw_name = bytes(props[_PROPS_NAME : _PROPS_NAME + 256]).split(b"\0", 1)[0]
    name = raw_name.decode("utf-8", "replace") or "Vulkan GPU"
    memory = None
    if kind == "discrete":  # an integrated GPU's "device memory" is a share of system RAM
        mem = (ctypes.c_ubyte * _MEM_SIZE)()
        vk.vkGetPhysicalDeviceMemoryProperties(handle, mem)
        memory = _largest_local_heap(bytes(mem))
    vendor = _VK_VENDORS.get(vendor_id, f"vendor {vendor_id:#06x}")
    return kind, Gpu("vulkan", vendor, name, memory)


def _largest_local_heap(mem: bytes) -> int | None:
    count = int.from_bytes(mem[_MEM_HEAP_COUNT : _MEM_HEAP_COUNT + 4], sys.byteorder)
    sizes = []
    for i in range(min(count, 16)):
        base = _MEM_HEAPS + i * _MEM_HEAP_STRIDE
        size = int.from_bytes(mem[base : base + 8], sys.byteorder)
        flags = int.from_bytes(mem[base + 8 : base + 12], sys.byteorder)
        if flags & _HEAP_DEVICE_LOCAL:
            sizes.append(size)
    return max(sizes) if sizes else None
