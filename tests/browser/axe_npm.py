"""axe-core from npm (``package.json`` at the repository root, installed by ``npm ci``),
injected into a Playwright page: the current release, not an older bundled copy.

``axe_violations(page)`` runs every rule axe runs by default (WCAG 2.0/2.1/2.2 A and AA
and best practices) and returns the violations; ``report(violations)`` formats them.
The script is evaluated through the DevTools protocol, so the page's own
Content-Security-Policy (which allows no injected script) does not block it and is not
loosened for the test.  A missing or too old axe-core fails the test with what to run:
a skipped accessibility check would pass for nothing.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
AXE_DIR = ROOT / "node_modules" / "axe-core"
#: The oldest axe-core whose verdict counts (4.14 has label-content-name-mismatch's
#: current rules).
MINIMUM = (4, 14)


@cache
def axe_source() -> str:
    script = AXE_DIR / "axe.min.js"
    if not script.is_file():
        pytest.fail(
            f"{script} is missing: run `npm ci` in {ROOT} (package.json pins axe-core)",
            pytrace=False,
        )
    version = json.loads((AXE_DIR / "package.json").read_text(encoding="utf-8"))["version"]
    found = tuple(int(part) for part in version.split(".")[:2])
    if found < MINIMUM:
        pytest.fail(
            f"axe-core {version} is older than {'.'.join(map(str, MINIMUM))}: "
            "run `npm ci` (package-lock.json pins the current release)",
            pytrace=False,
        )
    return script.read_text(encoding="utf-8")


def axe_version(page) -> str:
    return page.evaluate("() => window.axe && window.axe.version")


def axe_violations(page) -> list[dict]:
    """Inject axe-core (once per document) and run it over the whole page."""
    if not page.evaluate("() => Boolean(window.axe)"):
        page.evaluate(axe_source() + "\n;undefined")
    return page.evaluate(
        """async () => {
            const result = await window.axe.run(document, {resultTypes: ['violations']});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => ({target: n.target, html: n.html.slice(0, 300),
                                         summary: n.failureSummary}))
            }));
        }"""
    )


def report(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            lines.append(f"  {node['target']}: {node['html']}")
            lines.append(f"    {node['summary']}")
    return "\n".join(lines)
