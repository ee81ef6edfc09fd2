"""First load of the page: how soon a student can click the Plotly landscape on a first
visit (headless Chromium, a fresh browser per round so nothing is cached; median of 5).
Side by side, alternating rounds: this checkout's page (the cartesian Plotly.js bundle) and
the page before issue 12 (commit BEFORE, the full bundle), each served by its own uvicorn.

    .venv/bin/python -m bench.bench_first_load [--rounds 5] [--query "?function=rastrigin"]
        [--before COMMIT]

"clickable" is the page's own mark (``descent.metrics.clickableMs``, set when the Plotly
landscape listens for clicks; ``plotlyContourMs`` on pages older than that mark), in ms from
navigation start. "blocked" adds up the long tasks (> 50 ms) on the main thread until then:
time in which a click or a key would have waited. Plotly bytes are what the page fetched.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from bench.server import serve
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

VIEWPORT = {"width": 1366, "height": 768}
# Long tasks are recorded from the first byte (an init script runs before the page's own).
LONG_TASKS = """
window.__longTasks = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) window.__longTasks.push([e.startTime, e.duration]);
}).observe({ type: "longtask", buffered: true });
"""
READ = """() => {
  const m = window.descent.metrics;
  const clickable = m.clickableMs ?? m.plotlyContourMs;
  const blocked = window.__longTasks.filter(([s]) => s < clickable).reduce((a, [, d]) => a + d, 0);
  const preview = m.firstContourKind === "preview" ? m.firstContourMs : null;
  return { clickable, blocked, preview };
}"""


CLICKABLE = "window.descent && (descent.metrics.clickableMs ?? descent.metrics.plotlyContourMs)"
BEFORE = "573b7ad"  # main before issue 12: the full 4.8 MB bundle on every first visit
ROOT = Path(__file__).resolve().parents[1]


def one_round(playwright, url: str) -> dict:
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    try:
        page = browser.new_context(viewport=VIEWPORT).new_page()
        page.add_init_script(LONG_TASKS)
        plotly_bytes = []
        page.on(
            "response",
            lambda r: plotly_bytes.append(len(r.body())) if "/vendor/plotly" in r.url else None,
        )
        page.goto(url)
        deadline = time.monotonic() + 60
        while not page.evaluate(CLICKABLE):  # polled: the page's CSP forbids wait_for_function
            if time.monotonic() > deadline:
                raise RuntimeError("the landscape never became clickable")
            time.sleep(0.02)
        return {**page.evaluate(READ), "plotly_bytes": sum(plotly_bytes)}
    finally:
        browser.close()


def median(results: list[dict]) -> dict:
    return {k: statistics.median(r[k] or 0 for r in results) for k in results[0]}


def line(r: dict) -> str:
    return (
        f"landscape clickable {r['clickable']:.0f} ms (main thread blocked {r['blocked']:.0f} ms "
        f"before it; preview {r['preview'] or 0:.0f} ms; Plotly {r['plotly_bytes'] / 1e6:.2f} MB)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--query", default="")
    parser.add_argument("--before", default=BEFORE, help="the commit to compare with")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with contextlib.ExitStack() as stack:
        old_tree = stack.enter_context(tempfile.TemporaryDirectory())
        archive = subprocess.run(
            ["git", "archive", args.before], cwd=ROOT, check=True, capture_output=True
        )
        subprocess.run(["tar", "-x", "-C", old_tree], input=archive.stdout, check=True)
        p = stack.enter_context(sync_playwright())
        now, before = serve(), serve(cwd=old_tree)
        variants = {
            "now (cartesian bundle)": f"{stack.enter_context(now)}/{args.query}",
            f"before ({args.before}, full bundle)": f"{stack.enter_context(before)}/{args.query}",
        }
        for url in variants.values():
            one_round(p, url)  # untimed: the server's first page render
        rounds = {v: [] for v in variants}
        for _ in range(args.rounds):
            for variant, url in variants.items():
                rounds[variant].append(one_round(p, url))
    for variant, results in rounds.items():
        print(f"{variant}:")
        for i, r in enumerate(results, 1):
            print(f"  round {i}: {line(r)}")
        print(f"  median of {len(results)}: {line(median(results))}")


if __name__ == "__main__":
    main()
