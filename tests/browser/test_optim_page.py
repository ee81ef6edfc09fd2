"""The page's schedule picker, lr curve and PyTorch code dialog (issue 13)."""

from __future__ import annotations

from pathlib import Path

SHOTS = Path(__file__).resolve().parents[2] / "bench" / "results"
RACE = ("?function=rosenbrock&runs=adam(lr=0.05)|lbfgs(line_search_fn=strong_wolfe)"
        "&start=-1.5,2&steps=200")


def pick_schedule(app, run: int, name: str) -> None:
    card = app.page.locator(".run-card, [data-run-id]").nth(run)
    card.locator("details").first.evaluate("d => d.open = true")
    card.locator(".param-schedule select").select_option(name)


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
    app.page.set_viewport_size({"width": 390, "height": 844})
    app.page.get_by_role("button", name="PyTorch code").click()
    app.wait("document.getElementById('code-text').textContent.includes('torch.optim')")
    app.page.screenshot(path=str(SHOTS / "optim-code-dialog-phone.png"))
    app.page.get_by_role("button", name="Close").click()
    app.page.set_viewport_size({"width": 1366, "height": 768})
