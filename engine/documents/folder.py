"""Finding the documents in a dropped folder: a stable order, bounded, loop-proof.

Hidden files and folders (".git", ".venv") are skipped, and so are folders of installed
dependencies and caches, which hold thousands of README files nobody dropped on purpose.
Symbolic links are followed — a link to a folder of papers is how some people organise them —
but each folder is entered once, so a link to a parent cannot make the walk go round forever.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from engine.documents.sniff import SUFFIXES

SKIPPED_FOLDERS = {"node_modules", "__pycache__", "site-packages"}
MAX_DEPTH = 32


def find_documents(folder: Path, max_files: int) -> tuple[list[Path], bool]:
    """(files with a supported suffix in path order, whether there were more than max_files)."""
    found: list[Path] = []
    seen_folders: set[tuple[int, int]] = set()
    seen_files: set[tuple[int, int]] = set()

    def walk(directory: Path, depth: int) -> bool:
        """False once max_files are found and one more turned up."""
        try:
            st = os.stat(directory)
        except OSError:
            return True
        key = (st.st_dev, st.st_ino)
        if key in seen_folders or depth > MAX_DEPTH:
            return True
        seen_folders.add(key)
        try:
            with os.scandir(directory) as it:
                entries = sorted(it, key=lambda e: (e.name.casefold(), e.name))
        except OSError:
            return True  # unreadable folders are skipped, like hidden ones
        for entry in entries:
            if entry.name.startswith("."):
                continue
            try:
                st = os.stat(entry.path)  # follows links; a dangling one raises
            except OSError:
                continue
            if stat.S_ISDIR(st.st_mode):
                if entry.name in SKIPPED_FOLDERS:
                    continue
                if not walk(Path(entry.path), depth + 1):
                    return False
            elif stat.S_ISREG(st.st_mode) and Path(entry.name).suffix.lower() in SUFFIXES:
                file_key = (st.st_dev, st.st_ino)
                if file_key in seen_files:
                    continue  # the same file through another link
                if len(found) >= max_files:
                    return False
                seen_files.add(file_key)
                found.append(Path(entry.path))
        return True

    complete = walk(folder, 0)
    return found, not complete
