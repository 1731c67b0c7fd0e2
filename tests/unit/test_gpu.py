"""GPU detection on this machine, and the choice of llama.cpp build as a pure function.

Detection is only ever run for real here: the machines these tests run on have no GPU, so they
check that the real probes (nvidia-smi, the CUDA driver library, the Vulkan loader, in this
process and in the child process the worker asks) come back empty and that the CPU is then
chosen for the right reason. Every other case of the choice is
a table of dataclass inputs.
"""

from __future__ import annotations

import glob
import json
import os
from pathlib import Path

import pytest

from engine import gpu
from engine.backends.llamacpp import offloaded_layers
from engine.gpu import Choice, Gpu, choose_backend

RTX = Gpu("cuda", "NVIDIA", "NVIDIA GeForce RTX 4090", 24 << 30)
RTX_VK = Gpu("vulkan", "NVIDIA", "NVIDIA GeForce RTX 4090", 24 << 30)
RADEON = Gpu("vulkan", "AMD", "AMD Radeon RX 7900 XTX (RADV NAVI31)", 24 << 30)
IRIS = Gpu("vulkan", "Intel", "Intel(R) Iris(R) Xe Graphics", None)
M2 = Gpu("metal", "Apple", "Apple M2 Pro", 32 << 30)


def _machine_has_gpu_device() -> bool:
    """Device nodes a GPU driver creates (NVIDIA, WSL2's GPU, DRM render nodes)."""
    return bool(glob.glob("/dev/nvidia[0-9]*") or os.path.exists("/dev/dxg")) or bool(
        glob.glob("/dev/dri/renderD*")
    )


@pytest.mark.skipif(_machine_has_gpu_device(), reason="this machine has a GPU")
def test_this_machine_has_no_gpu_and_gets_the_cpu() -> None:
    detected = gpu.detect_gpus()
    assert detected == []
    builds = gpu.installed_variants([])
    assert builds == {"cpu": None}  # the build installed with the app, imported as is
    choice = choose_backend(builds, detected)
    assert choice == Choice("cpu", "cpu", "CPU: no GPU found")


def test_the_probe_in_a_child_process_finds_what_detection_finds_here() -> None:
    assert gpu.probe_gpus() == (gpu.detect_gpus(), "")


def test_a_probe_that_does_not_answer_in_time_is_a_reason_not_an_error() -> None:
    assert gpu.probe_gpus(timeout=0.001) == ([], "GPU detection failed (TimeoutExpired)")


def test_vulkan_cpu_implementations_are_not_gpus() -> None:
    """With a CPU Vulkan driver installed (Mesa's llvmpipe), the loader lists it, read through
    the real Vulkan structures, and detection leaves it out."""
    devices = gpu.vulkan_devices()
    software = [g for kind, g in devices if kind == "cpu"]
    if not software:
        pytest.skip("no CPU Vulkan driver here (Debian: mesa-vulkan-drivers)")
    assert all(g.api == "vulkan" and g.name for g in software)
    assert any("llvmpipe" in g.name for g in software)
    assert not any(g in gpu.detect_vulkan() for g in software)


# ------------------------------------------------------------------ the choice, as a table

AUTO_CASES = [
    # (installed builds, detected GPUs, device, build, reason)
    ({"cpu"}, [], "cpu", "cpu", "CPU: no GPU found"),
    ({"cpu", "cuda", "vulkan"}, [], "cpu", "cpu", "CPU: no GPU found"),
    (
        {"cpu"},
        [RTX, RTX_VK],
        "cpu",
        "cpu",
        "CPU: NVIDIA GPU found but the CUDA build is not installed",
    ),
    ({"cpu", "cuda"}, [RTX, RTX_VK], "cuda", "cuda", "CUDA: NVIDIA GeForce RTX 4090"),
    # CUDA comes first on NVIDIA; Vulkan reaches it when the CUDA build is missing.
    ({"cpu", "cuda", "vulkan"}, [RTX, RTX_VK], "cuda", "cuda", "CUDA: NVIDIA GeForce RTX 4090"),
    ({"cpu", "vulkan"}, [RTX, RTX_VK], "vulkan", "vulkan", "Vulkan: NVIDIA GeForce RTX 4090"),
    # An NVIDIA card whose driver has no CUDA (too old): only Vulkan sees it.
    (
        {"cpu", "cuda"},
        [RTX_VK],
        "cpu",
        "cpu",
        "CPU: NVIDIA GPU found but the Vulkan build is not installed",
    ),
    (
        {"cpu", "cuda"},
        [RADEON],
        "cpu",
        "cpu",
        "CPU: AMD GPU found but the Vulkan build is not installed",
    ),
    ({"cpu", "vulkan"}, [RADEON], "vulkan", "vulkan", f"Vulkan: {RADEON.name}"),
    # The GPU with the most memory wins; an integrated GPU's is unknown (shared memory).
    ({"cpu", "vulkan"}, [IRIS, RADEON], "vulkan", "vulkan", f"Vulkan: {RADEON.name}"),
    ({"cpu", "vulkan"}, [IRIS], "vulkan", "vulkan", f"Vulkan: {IRIS.name}"),
    # Apple silicon: the installed build is the Metal one.
    ({"metal"}, [M2], "metal", "metal", "Metal: Apple M2 Pro"),
    ({"metal"}, [], "cpu", "metal", "CPU: no GPU found"),
]


@pytest.mark.parametrize(("builds", "detected", "device", "build", "reason"), AUTO_CASES)
def test_auto_picks_cuda_then_metal_then_vulkan_then_cpu(
    builds: set[str], detected: list[Gpu], device: str, build: str, reason: str
) -> None:
    choice = choose_backend(builds, detected, "auto")
    assert (choice.device, choice.build, choice.reason, choice.fallback) == (
        device,
        build,
        reason,
        False,
    )
    assert (choice.gpu is None) == (device == "cpu")


FORCED_CASES = [
    # (preference, installed builds, detected GPUs, device, reason, fallback)
    ("cpu", {"cpu", "cuda"}, [RTX], "cpu", "CPU: asked for", False),
    (
        "cuda",
        {"cpu", "cuda"},
        [RTX],
        "cuda",
        "CUDA: asked for, NVIDIA GeForce RTX 4090",
        False,
    ),
    (
        "cuda",
        {"cpu"},
        [RTX],
        "cpu",
        "CPU: CUDA was asked for but the CUDA build is not installed",
        True,
    ),
    (
        "cuda",
        {"cpu", "cuda"},
        [RADEON],
        "cpu",
        "CPU: CUDA was asked for but no NVIDIA GPU was found",
        True,
    ),
    # Forcing Vulkan on an NVIDIA machine with both builds: Vulkan, not the faster CUDA.
    (
        "vulkan",
        {"cpu", "cuda", "vulkan"},
        [RTX, RTX_VK],
        "vulkan",
        "Vulkan: asked for, NVIDIA GeForce RTX 4090",
        False,
    ),
    (
        "vulkan",
        {"cpu", "vulkan"},
        [],
        "cpu",
        "CPU: Vulkan was asked for but no Vulkan GPU was found",
        True,
    ),
    (
        "vulkan",
        {"cpu"},
        [RADEON],
        "cpu",
        "CPU: Vulkan was asked for but the Vulkan build is not installed",
        True,
    ),
]


@pytest.mark.parametrize(
    ("preference", "builds", "detected", "device", "reason", "fallback"), FORCED_CASES
)
def test_a_choice_in_settings_wins_or_falls_back_to_the_cpu_with_a_reason(
    preference: str,
    builds: set[str],
    detected: list[Gpu],
    device: str,
    reason: str,
    fallback: bool,
) -> None:
    choice = choose_backend(builds, detected, preference)
    assert (choice.device, choice.reason, choice.fallback) == (device, reason, fallback)
    assert choice.build == (device if device != "cpu" else "cpu")


def test_forcing_the_cpu_on_apple_silicon_keeps_the_metal_build() -> None:
    choice = choose_backend({"metal"}, [M2], "cpu")
    assert (choice.device, choice.build) == ("cpu", "metal")


def test_an_unknown_preference_is_refused() -> None:
    with pytest.raises(ValueError, match="opencl"):
        choose_backend({"cpu"}, [], "opencl")


# ------------------------------------------------------------------ installed variants


def _variant(folder: Path, name: str, version: str | None, *, package: bool = True) -> Path:
    path = folder / name
    if package:
        (path / "llama_cpp").mkdir(parents=True)
        (path / "llama_cpp" / "__init__.py").write_text("")
    else:
        path.mkdir(parents=True)
    if version is not None:
        info = {"variant": name, "llama_cpp_python": version}
        (path / gpu.VARIANT_FILE).write_text(json.dumps(info))
    return path


def test_variants_are_found_only_when_finished_and_built_for_these_bindings(
    tmp_path: Path,
) -> None:
    version = gpu.bindings_version()
    assert version is not None
    cuda = _variant(tmp_path, "cuda", version)
    _variant(tmp_path, "vulkan", "0.0.1")  # another release: its structures would not match
    assert gpu.installed_variants([tmp_path]) == {"cpu": None, "cuda": cuda}
    # A build still being written has no variant.json yet; one without its package is broken.
    unfinished = tmp_path / "later"
    _variant(unfinished, "vulkan", None)
    _variant(unfinished, "cuda", version, package=False)
    assert gpu.installed_variants([unfinished]) == {"cpu": None}
    # A variant.json that names another variant does not count for this folder.
    (cuda / gpu.VARIANT_FILE).write_text(json.dumps({"variant": "vulkan"}))
    assert gpu.installed_variants([tmp_path]) == {"cpu": None}


def test_where_variants_are_looked_for(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(gpu.VARIANTS_ENV, str(tmp_path / "v"))
    assert gpu.variants_dirs() == [tmp_path / "v"]
    monkeypatch.delenv(gpu.VARIANTS_ENV)
    monkeypatch.setenv("LANTERNA_HOME", str(tmp_path))
    assert gpu.variants_dirs() == [tmp_path / "data" / "llama-variants"]
    monkeypatch.setattr("sys.frozen", True, raising=False)
    monkeypatch.setattr("sys.executable", str(tmp_path / "app" / "lanterna"))
    assert gpu.variants_dirs()[0] == (tmp_path / "app").resolve() / "backends"


@pytest.mark.parametrize(
    ("requested", "n_blocks", "offloaded"),
    [(0, 24, 0), (10, 24, 10), (25, 24, 25), (99, 24, 25), (-1, 24, 25)],
)
def test_offloaded_layers_count_the_output_layer(
    requested: int, n_blocks: int, offloaded: int
) -> None:
    assert offloaded_layers(requested, n_blocks) == offloaded
