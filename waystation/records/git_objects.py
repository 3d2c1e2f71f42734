"""Reading files from git without a checkout: many at once, in one process.

:func:`read_blobs` asks one ``git cat-file --batch`` for every object it is given
(``<revision>:<path>`` or a blob id), so reading hundreds of old versions of listing
files costs one process, not hundreds.
"""

from __future__ import annotations

import subprocess
from pathlib import Path


class GitUnavailable(Exception):
    """git is not installed, failed, or took too long."""


def run_git(root: Path, *args: str, data: bytes | None = None, timeout: int = 300) -> bytes:
    """The standard output of ``git -C root args…``; :class:`GitUnavailable` on failure."""
    try:
        proc = subprocess.run(
            ["git", "-C", str(root), *args],
            input=data,
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except FileNotFoundError as error:
        raise GitUnavailable("git is not installed: install git") from error
    except subprocess.TimeoutExpired as error:
        raise GitUnavailable(f"git {args[0]} took too long") from error
    if proc.returncode != 0:
        message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitUnavailable(f"git {args[0]} failed: {message[-1] if message else 'no output'}")
    return proc.stdout


def read_blobs(root: Path, names: list[str]) -> dict[str, bytes]:
    """The contents of the objects ``names`` (``rev:path`` or blob ids), in one
    ``git cat-file --batch`` call.  Names git does not find are left out; a name with a
    line break (a hostile file name) is read by a call of its own."""
    names = list(dict.fromkeys(names))
    wanted = [name for name in names if "\n" not in name and "\r" not in name]
    blobs: dict[str, bytes] = {}
    for name in names:
        if name not in wanted:  # the batch protocol is one name a line: ask for it alone
            try:
                blobs[name] = run_git(root, "cat-file", "blob", name)
            except GitUnavailable:
                continue
    if not wanted:
        return blobs
    request = "".join(f"{name}\n" for name in wanted).encode("utf-8", "surrogateescape")
    out = run_git(root, "cat-file", "--batch", data=request)
    position = 0
    for name in wanted:
        end = out.index(b"\n", position)
        header = out[position:end].split(b" ")
        position = end + 1
        if len(header) == 3:  # "<id> <type> <size>", then the contents
            size = int(header[2])
            if header[1] == b"blob":
                blobs[name] = out[position : position + size]
            position += size + 1
    return blobs
