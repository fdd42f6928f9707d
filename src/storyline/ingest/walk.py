"""Which files an ingest reads: the given paths, folders walked recursively in a stable order.

Rules, each answering a case of issue #15:

* A folder that cannot be listed is a stored rejection (E101), not a silent gap: the old
  ``Path.rglob`` skipped it without a word.
* Symbolic links are followed only while they stay inside the input folders. A link that
  leaves them (``notes/key.txt -> ~/.ssh/id_rsa``) is skipped with a stored rejection
  (E114) unless the caller opts in (``follow_symlinks``, ``storyline ingest
  --follow-symlinks``). A path named on the command line is read even when it is a link:
  naming it is asking for it. Links to folders are walked only with the opt-in (with a
  guard against loops); without it, a link to a folder inside the inputs adds nothing that
  the walk does not reach by the folder's own path.
* Anything that is not a regular file (a FIFO would block the reader forever, a device, a
  socket) is a rejection, not opened.
* Hidden entries (a leading dot: ``.git``, ``.DS_Store``) are skipped, folders included.

Yields ``(path, size)`` with the path as the operating system gave it (it may carry
surrogate escapes: open it with that) or a :class:`Rejection` naming the display path.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..errors import InputError, UnreadableInput
from ..types import Rejection
from .guard import display_path, rejection

Listed = tuple[str, int] | Rejection


def list_files(paths: Iterable[str | Path], *, follow_symlinks: bool = False) -> Iterator[Listed]:
    """Walk the given paths (files or folders, recursively, sorted) → (path, size) or rejections."""
    named = [os.fspath(p) for p in paths]
    roots = [os.path.realpath(p) for p in named if os.path.isdir(p)]
    for p in named:
        if os.path.isdir(p):
            yield from _walk(p, roots, follow_symlinks, visited={os.path.realpath(p)})
        else:
            yield _stat(p)


def _inside(target: str, roots: list[str]) -> bool:
    return any(target == root or target.startswith(root.rstrip(os.sep) + os.sep) for root in roots)


def _walk(folder: str, roots: list[str], follow: bool, visited: set[str]) -> Iterator[Listed]:
    try:
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as exc:
        reason = f"cannot list this folder ({exc.strerror or exc}); the files in it were not read"
        yield rejection(UnreadableInput(path=display_path(folder), reason=reason), path=display_path(folder))
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        path = os.path.join(folder, entry.name)
        try:
            is_link = entry.is_symlink()
        except OSError:
            is_link = False
        if is_link:
            target = os.path.realpath(path)
            if not follow and not _inside(target, roots):
                shown = display_path(path)
                err = InputError("E114", path=shown, target=display_path(target))
                yield rejection(err, path=shown)
                continue
            if os.path.isdir(path):
                if follow and target not in visited:  # a link loop is walked once
                    visited.add(target)
                    yield from _walk(path, roots, follow, visited)
                continue
            yield _stat(path)  # a link to a file inside the inputs (or a dangling one: E101)
            continue
        try:
            is_dir = entry.is_dir(follow_symlinks=False)
        except OSError:
            is_dir = False
        if is_dir:
            visited.add(os.path.realpath(path))
            yield from _walk(path, roots, follow, visited)
        else:
            yield _stat(path)


def _stat(path: str) -> Listed:
    shown = display_path(path)
    try:
        st = os.stat(path)
    except OSError as exc:
        return rejection(UnreadableInput(path=shown, reason=exc.strerror or str(exc)), path=shown)
    if not stat.S_ISREG(st.st_mode):
        kind = "a folder" if stat.S_ISDIR(st.st_mode) else "not a regular file (a pipe, socket or device)"
        return rejection(UnreadableInput(path=shown, reason=kind), path=shown)
    return path, st.st_size
