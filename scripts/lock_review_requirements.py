"""Regenerate .github/review-comment-requirements.txt from pyproject.toml's pins.

python scripts/lock_review_requirements.py

The privileged review-comment job installs only these hashed wheels (see the file's
header). This does what the header describes: installs the project in a fresh virtual
environment, lists what it pulled in (``pip freeze``), downloads each wheel for this
platform and writes its sha256. Run it after changing a runtime pin;
tests/test_workflows.py fails until the file agrees with pyproject.toml.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tempfile
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / ".github" / "review-comment-requirements.txt"


def header() -> str:
    lines = []
    for line in TARGET.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        lines.append(line)
    return "\n".join(lines) + "\n"


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        env = Path(tmp) / "venv"
        venv.create(env, with_pip=True)
        pip = [str(env / "bin" / "python"), "-m", "pip", "--disable-pip-version-check"]
        subprocess.run([*pip, "install", "--quiet", str(ROOT)], check=True)
        frozen = subprocess.run(
            [*pip, "freeze", "--exclude", "waystation"], check=True, capture_output=True, text=True
        ).stdout.split()
        wheels = Path(tmp) / "wheels"
        subprocess.run(
            [*pip, "download", "--quiet", "--no-deps", "--only-binary=:all:", "-d", str(wheels),
             *frozen],
            check=True,
        )  # fmt: skip
        by_name = {}
        for wheel in sorted(wheels.glob("*.whl")):
            name = wheel.name.split("-")[0].replace("_", "-").lower()
            by_name[name] = hashlib.sha256(wheel.read_bytes()).hexdigest()
        out = [header()]
        for pin in sorted(frozen, key=str.lower):
            name, _, version = pin.partition("==")
            digest = by_name[name.replace("_", "-").lower()]
            out.append(f"{name}=={version} \\\n    --hash=sha256:{digest}\n")
    TARGET.write_text("".join(out), encoding="utf-8")
    print(f"wrote {TARGET} ({len(frozen)} packages)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
