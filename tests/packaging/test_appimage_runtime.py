"""The AppImage runtime and assembler on a small real AppDir: the image runs AppRun with the
environment and arguments it was given, passes the exit code through, unpacks once and reuses
the unpacked copy, extracts on request, and refuses damaged or truncated images clearly."""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

APPIMAGE_DIR = Path(__file__).resolve().parents[2] / "packaging" / "linux" / "appimage"

pytestmark = [
    pytest.mark.skipif(shutil.which("mksquashfs") is None, reason="mksquashfs is not installed"),
    pytest.mark.skipif(shutil.which("gcc") is None, reason="gcc is not installed"),
]

APPRUN = """#!/bin/sh
echo "APPDIR=$APPDIR"
echo "APPIMAGE=$APPIMAGE"
echo "OWD=$OWD"
echo "ARGV0=$ARGV0"
for arg in "$@"; do echo "arg=[$arg]"; done
echo "data=$(cat "$APPDIR/usr/share/demo/data.txt")"
echo "link=$(cat "$APPDIR/data-link.txt")"
exit "${EXIT_WITH:-0}"
"""

DESKTOP = """[Desktop Entry]
Type=Application
Name=Demo
Exec=demo
Icon=demo
Categories=Utility;
"""

MakeImage = Callable[[Path, Path], Path]


def make_appdir(root: Path, data: str = "payload") -> Path:
    (root / "usr/share/demo").mkdir(parents=True)
    (root / "usr/share/demo/data.txt").write_text(data + "\n")
    (root / "data-link.txt").symlink_to("usr/share/demo/data.txt")
    (root / "AppRun").write_text(APPRUN)
    (root / "AppRun").chmod(0o755)
    (root / "demo.desktop").write_text(DESKTOP)
    (root / "demo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    return root


@pytest.fixture(scope="module")
def runtime_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The runtime, compiled once for the module into a temporary folder."""
    out = tmp_path_factory.mktemp("runtime")
    subprocess.run(
        ["bash", str(APPIMAGE_DIR / "build-runtime.sh"), str(out)],
        check=True,
        capture_output=True,
    )
    return out


@pytest.fixture(scope="module")
def make_image(runtime_dir: Path) -> MakeImage:
    def make(appdir: Path, output: Path) -> Path:
        env = {**os.environ, "APPIMAGE_RUNTIME_DIR": str(runtime_dir)}
        subprocess.run(
            ["bash", str(APPIMAGE_DIR / "make-appimage.sh"), str(appdir), str(output)],
            check=True,
            capture_output=True,
            env=env,
        )
        return output

    return make


@pytest.fixture
def image(tmp_path: Path, make_image: MakeImage) -> Path:
    return make_image(make_appdir(tmp_path / "AppDir"), tmp_path / "out" / "Demo.AppImage")


@pytest.fixture
def cache_home(tmp_path: Path) -> Path:
    return tmp_path / "cache"


def run(
    image: Path,
    *args: str,
    cache_home: Path,
    cwd: Path | None = None,
    extra_env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "XDG_CACHE_HOME": str(cache_home),
        "APPIMAGE_EXTRACT_AND_RUN": "1",
        **(extra_env or {}),
    }
    return subprocess.run(
        [str(image), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd or image.parent,
        timeout=60,
    )


def values(stdout: str) -> dict[str, str]:
    pairs = (line.partition("=") for line in stdout.splitlines() if not line.startswith("arg="))
    return {key: value for key, _, value in pairs}


def test_runs_apprun_with_environment_arguments_and_files(
    image: Path, cache_home: Path, tmp_path: Path
) -> None:
    workdir = tmp_path / "work dir"
    workdir.mkdir()
    args = ["two words", "", "it's", "--flag=a b"]
    result = run(image, *args, cache_home=cache_home, cwd=workdir)

    assert result.returncode == 0, result.stderr
    assert [line for line in result.stdout.splitlines() if line.startswith("arg=")] == [
        f"arg=[{a}]" for a in args
    ]
    out = values(result.stdout)
    assert out["APPIMAGE"] == str(image.resolve())
    assert out["ARGV0"] == str(image)
    assert out["OWD"] == str(workdir)
    assert Path(out["APPDIR"]).is_relative_to(cache_home)
    assert out["data"] == "payload"
    assert out["link"] == "payload"


def test_exit_code_passes_through(image: Path, cache_home: Path) -> None:
    result = run(image, cache_home=cache_home, extra_env={"EXIT_WITH": "7"})
    assert result.returncode == 7, result.stderr


def test_extract_and_run_option_is_not_passed_to_the_app(image: Path, cache_home: Path) -> None:
    result = run(image, "--appimage-extract-and-run", "x", cache_home=cache_home)
    assert result.returncode == 0, result.stderr
    assert [line for line in result.stdout.splitlines() if line.startswith("arg=")] == ["arg=[x]"]


def test_second_run_reuses_the_unpacked_copy(image: Path, cache_home: Path) -> None:
    first = run(image, cache_home=cache_home)
    appdir = Path(values(first.stdout)["APPDIR"])
    inode = appdir.stat().st_ino
    (appdir / "marker").write_text("still here")

    second = run(image, cache_home=cache_home)

    assert second.returncode == 0, second.stderr
    assert Path(values(second.stdout)["APPDIR"]) == appdir
    assert appdir.stat().st_ino == inode
    assert (appdir / "marker").read_text() == "still here"
    # Only the finished copy and the image's path record remain: no temporary folders.
    assert sorted(p.name for p in appdir.parent.iterdir()) == sorted([appdir.name, "source"])


def test_replaced_image_gets_a_new_copy_and_the_old_one_is_removed(
    tmp_path: Path, make_image: MakeImage, cache_home: Path
) -> None:
    output = tmp_path / "out" / "Demo.AppImage"
    make_image(make_appdir(tmp_path / "v1"), output)
    old = Path(values(run(output, cache_home=cache_home).stdout)["APPDIR"])

    make_image(make_appdir(tmp_path / "v2", data="updated"), output)
    result = run(output, cache_home=cache_home)

    out = values(result.stdout)
    assert out["data"] == "updated"
    assert Path(out["APPDIR"]) != old
    assert not old.exists()


def test_extract_writes_squashfs_root(image: Path, tmp_path: Path) -> None:
    workdir = tmp_path / "extract"
    workdir.mkdir()
    result = subprocess.run(
        [str(image), "--appimage-extract"], capture_output=True, text=True, cwd=workdir
    )

    assert result.returncode == 0, result.stderr
    root = workdir / "squashfs-root"
    assert os.access(root / "AppRun", os.X_OK)
    assert (root / "AppRun").read_text() == APPRUN
    assert (root / "demo.desktop").read_text() == DESKTOP
    assert (root / "usr/share/demo/data.txt").read_text() == "payload\n"
    assert os.readlink(root / "data-link.txt") == "usr/share/demo/data.txt"
    assert os.readlink(root / ".DirIcon") == "demo.png"
    assert not os.access(root / "demo.desktop", os.X_OK)


def test_extract_a_selection(image: Path, tmp_path: Path) -> None:
    result = subprocess.run(
        [str(image), "--appimage-extract", "usr/share"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )

    assert result.returncode == 0, result.stderr
    root = tmp_path / "squashfs-root"
    assert (root / "usr/share/demo/data.txt").read_text() == "payload\n"
    assert not (root / "AppRun").exists()


def test_offset_is_the_end_of_the_runtime(image: Path, runtime_dir: Path) -> None:
    result = subprocess.run(
        [str(image), "--appimage-offset"], capture_output=True, text=True, check=True
    )

    offset = int(result.stdout)
    assert offset == (runtime_dir / "runtime").stat().st_size
    with image.open("rb") as f:
        header = f.read(16)
        f.seek(offset)
        assert f.read(4) == b"hsqs"  # squashfs magic, little endian
    assert header[:4] == b"\x7fELF"
    assert header[8:11] == b"AI\x02"


def test_truncated_image_fails_clearly(image: Path, runtime_dir: Path, cache_home: Path) -> None:
    offset = (runtime_dir / "runtime").stat().st_size
    with image.open("r+b") as f:
        # mksquashfs pads to 4 KiB: cut inside the filesystem's used bytes, not the padding.
        f.seek(offset + 40)
        (bytes_used,) = struct.unpack("<Q", f.read(8))
        f.truncate(offset + bytes_used - 1)

    result = run(image, cache_home=cache_home)

    assert result.returncode != 0
    assert "truncated" in result.stderr
    assert result.stdout == ""


def test_damaged_image_fails_clearly(image: Path, runtime_dir: Path, cache_home: Path) -> None:
    offset = (runtime_dir / "runtime").stat().st_size
    with image.open("r+b") as f:
        f.seek(offset)
        f.write(b"XXXX")

    result = run(image, cache_home=cache_home)

    assert result.returncode != 0
    assert "damaged" in result.stderr
    assert result.stdout == ""


def test_runtime_options(image: Path) -> None:
    version = subprocess.run([str(image), "--appimage-version"], capture_output=True, text=True)
    assert version.returncode == 0
    assert "runtime" in version.stdout
    helptext = subprocess.run([str(image), "--appimage-help"], capture_output=True, text=True)
    assert "--appimage-extract" in helptext.stdout
    unknown = subprocess.run([str(image), "--appimage-bogus"], capture_output=True, text=True)
    assert unknown.returncode != 0
    assert "unknown runtime option" in unknown.stderr


@pytest.mark.parametrize(
    ("remove", "message"),
    [("AppRun", "AppRun"), ("demo.desktop", ".desktop"), ("demo.png", "icon")],
)
def test_assembler_rejects_an_incomplete_appdir(
    tmp_path: Path, runtime_dir: Path, remove: str, message: str
) -> None:
    appdir = make_appdir(tmp_path / "AppDir")
    (appdir / remove).unlink()
    env = {**os.environ, "APPIMAGE_RUNTIME_DIR": str(runtime_dir)}

    result = subprocess.run(
        ["bash", str(APPIMAGE_DIR / "make-appimage.sh"), str(appdir), str(tmp_path / "x")],
        capture_output=True,
        text=True,
        env=env,
    )

    assert result.returncode != 0
    assert message in result.stderr
    assert not (tmp_path / "x").exists()
