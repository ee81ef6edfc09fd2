"""The page's schedule picker, lr curve and PyTorch code dialog (issue 13): for the race's
runs (scheduled, noisy) and the network lesson's."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np

SHOTS = Path(__file__).resolve().parents[2] / "bench" / "results"
RACE = ("?function=rosenbrock&runs=adam(lr=0.05)|lbfgs(line_search_fn=strong_wolfe)"
        "&start=-1.5,2&steps=200")


def pick_schedule(app, run: int, name: str) -> None:
    card = app.page.locator(".run-card, [data-run-id]").nth(run)
    card.locator("details").first.evaluate("d => d.open = true")
    card.locator(".param-schedule select").select_option(name)


def code_dialog_on_a_phone(app, showing: str, shot: str) -> None:
    """Open the code dialog at 390×844 until its text shows ``showing``, screenshot it to
    ``shot``, close it (the viewport stays the phone's)."""
    app.page.set_viewport_size({"width": 390, "height": 844})
    app.page.get_by_role("button", name="PyTorch code").click()
    app.wait(f"document.getElementById('code-text').textContent.includes('{showing}')")
    app.page.screenshot(path=str(SHOTS / shot))
    app.page.get_by_role("button", name="Close").click()


def test_a_scheduled_run_draws_its_lr_under_the_loss_curve_and_exports_as_pytorch(app):
    app.open(RACE)
    app.wait_race()
    assert app.page.locator("#lr-curve").is_hidden()  # no scheduled run yet
    pick_schedule(app, 0, "StepLR")
    app.wait("descent.race && descent.race.loaded && descent.race.entries[0].data && "
             "descent.race.entries[0].data.lrs && descent.race.entries[0].data.lrs.length > 0")
    assert app.js("descent.race.entries[0].data.scheduler.name") == "StepLR"
    app.wait("!document.getElementById('lr-curve').hidden")
    lrs = app.js("descent.race.entries[0].data.lrs")
    assert lrs[0] == 0.05 and lrs[-1] < lrs[0]
    assert app.js("descent.race.entries[1].data.evaluations.length") > 0
    assert app.js("descent.race.entries[1].data.probes[0].length") > 1  # a line search
    app.page.locator("#reset").click()  # step 0: the first step's probes are drawn
    app.page.screenshot(path=str(SHOTS / "optim-probes.png"))
    app.page.get_by_role("button", name="PyTorch code").click()
    app.wait("document.getElementById('code-text').textContent.includes('torch.optim.Adam')")
    text = app.js("document.getElementById('code-text').textContent")
    assert "torch.optim.lr_scheduler.StepLR(optimizer, step_size=100)" in text
    SHOTS.mkdir(exist_ok=True)
    app.page.screenshot(path=str(SHOTS / "optim-code-dialog.png"))
    app.page.locator("#code-run").select_option("1")
    app.wait("document.getElementById('code-text').textContent.includes('optimizer.step(closure)')")
    app.page.get_by_role("button", name="Close").click()
    app.page.screenshot(path=str(SHOTS / "optim-lr-curve.png"), full_page=True)
    code_dialog_on_a_phone(app, "torch.optim", "optim-code-dialog-phone.png")
    app.page.set_viewport_size({"width": 1366, "height": 768})


def test_a_noisy_runs_code_draws_the_engines_noise_and_runs_as_pytorch(app):
    # the bowl: autograd's gradient is the engine's to the bit, so the points are too
    app.open("?function=bowl&runs=sgd(lr=0.05)|adam(lr=0.05)&start=1.5,-1.2&steps=40"
             "&tol=0&noise=0.5&seed=7")
    app.wait_race()
    app.page.get_by_role("button", name="PyTorch code").click()
    app.wait("document.getElementById('code-text').textContent.includes('torch.optim.SGD')")
    text = app.js("document.getElementById('code-text').textContent")
    assert "noise = np.random.default_rng(7)" in text and "sigma = 0.5" in text
    ran = run_script(text)
    assert ran["points"] == app.js("descent.race.entries[0].data.points")  # to the bit
    app.page.get_by_role("button", name="Close").click()


def test_the_network_lessons_code_button_exports_its_runs(app):
    app.page.goto(f"{app.base_url}/?tab=network")
    app.wait("window.descent.network && window.descent.network.ready", timeout=60)
    app.page.get_by_role("button", name="PyTorch code").click()
    app.wait("document.getElementById('code-text').textContent.includes('torch.nn.Sequential')")
    text = app.js("document.getElementById('code-text').textContent")
    assert "torch.optim.Adam([p], lr=0.02)" in text and "torch.nn.Tanh()" in text
    assert "init = np.random.default_rng(0)" in text
    SHOTS.mkdir(exist_ok=True)
    app.page.screenshot(path=str(SHOTS / "network-code-dialog.png"))
    app.page.locator("#code-run").select_option("1")  # run B: SGD on mini-batches of 8
    app.wait("document.getElementById('code-text').textContent.includes('torch.optim.SGD')")
    text = app.js("document.getElementById('code-text').textContent")
    assert "batch_size, per_epoch = 8, 25" in text
    ran = run_script(text)
    api = app.js("window.descent.network.runs[1].result")
    assert len(ran["losses"]) == len(api["losses"])
    np.testing.assert_allclose(ran["losses"], api["losses"], rtol=1e-9)
    np.testing.assert_allclose(ran["points"], api["points"], rtol=1e-9, atol=1e-9)
    app.page.get_by_role("button", name="Close").click()
    code_dialog_on_a_phone(app, "torch.nn.Sequential", "network-code-dialog-phone.png")
    app.page.set_viewport_size({"width": 1280, "height": 720})
    app.page.locator("#net-code").scroll_into_view_if_needed()
    app.page.screenshot(path=str(SHOTS / "network-code-button.png"))
    app.page.set_viewport_size({"width": 1366, "height": 768})


def run_script(text: str) -> dict:
    """The script as a user would run it: its own process, torch from the test extra."""
    done = subprocess.run([sys.executable, "-c", text], capture_output=True, text=True,
                          timeout=300, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def test_sam_and_schedule_free_are_in_the_menu_run_and_sam_shows_its_bases_kwargs(app):
    app.open("?function=himmelblau&runs=sam(base=adam,lr=0.05,rho=0.1)|"
             "adamwschedulefree(lr=0.05)&start=1,-1&steps=100")
    app.wait_race()
    names = app.js("[...document.querySelector('.run-optimizer').options].map(o => o.value)")
    assert {"sam", "adamwschedulefree", "lion"} <= set(names)
    app.wait("descent.race.entries[0].data && descent.race.entries[1].data")
    assert set(app.js("descent.race.entries[0].data.evaluations")) == {2}
    assert len(app.js("descent.race.entries[0].data.probes[0][0]")) == 3  # w + e and f there
    assert app.js("descent.race.entries[1].data.steps_taken") == 100
    card = app.page.locator("[data-run-id]").nth(0)
    card.locator("details").first.evaluate("d => d.open = true")
    assert card.locator("[data-param=base] select").input_value() == "adam"
    assert card.locator("[data-param=betas]").count() == 1  # the base's kwargs beside SAM's
    SHOTS.mkdir(exist_ok=True)
    app.page.screenshot(path=str(SHOTS / "optim-sam-card.png"))
    card.locator("[data-param=base] select").select_option("sgd")
    card = app.page.locator("[data-run-id]").nth(0)
    app.wait("descent.race.entries[0].data && "
             "descent.race.entries[0].data.optimizer.base === 'sgd'")
    assert card.locator("[data-param=momentum]").count() == 1
    assert card.locator("[data-param=betas]").count() == 0
    assert app.js("descent.race.entries[0].data.optimizer.lr") == 0.05  # lr kept
    for width, height in ((390, 844), (1280, 720)):
        app.page.set_viewport_size({"width": width, "height": height})
        app.page.locator("[data-run-id]").nth(0).scroll_into_view_if_needed()
        app.page.screenshot(path=str(SHOTS / f"optim-sam-card-{width}.png"))
    app.page.set_viewport_size({"width": 1366, "height": 768})
