"""SAM around every torch.optim optimizer against the reference implementation's arithmetic.

``tests/fixtures/golden_sam.json`` is written by ``tests/fixtures/make_golden_sam.py``: SAM
as github.com/davda54/sam steps it, around torch 2.13's optimizers, fed the engine's gradient
at w and at w + e, so only optimizer arithmetic is compared. Every point and every probe
(w + e and its loss) before the first update at which the base's torch ``sqrt`` was not
correctly rounded (``ops.py``) is the reference's to the bit, in both drivers; after it, the
named cases stay within 1e-9 (relative). Each step is two evaluations.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import numpy as np
import pytest

from app.engine import get_function, make_optimizer, run, with_scheduler
from app.engine.optim.specs import CLOSURE, SPECS, TORCH_OPTIMIZERS, resolve
from app.engine.run.dispatch import choose_driver, run_batch

GOLDEN = json.loads((Path(__file__).parents[1] / "fixtures" / "golden_sam.json").read_text())


def decoded(case: dict, key: str, width: int = 2) -> np.ndarray:
    return np.frombuffer(base64.b64decode(case[key]), dtype="<f8").reshape(-1, width)


def engine_run(case: dict, driver: str | None = None):
    optimizer = with_scheduler(make_optimizer("sam", **case["kwargs"]), case["scheduler"])
    return run(get_function(case["function"]), case["start"], optimizer, steps=case["steps"],
               driver=driver)  # fmt: skip


def identical_before_sqrt(case: dict, trajectory) -> bool:
    points, probes = decoded(case, "points"), decoded(case, "probes", 3)
    cut = len(points) if case["sqrt_step"] is None else case["sqrt_step"]
    if len(trajectory.points) < min(cut, len(points)):
        return False
    ours = np.array([p[0] for p in trajectory.probes[: cut - 1]]).reshape(-1, 3)
    return bool((trajectory.points[:cut] == points[:cut]).all()
                and (ours == probes[: len(ours)]).all())  # fmt: skip


@pytest.mark.parametrize("driver", ["catalog", "array"])
@pytest.mark.parametrize("case", GOLDEN["cases"], ids=[c["id"] for c in GOLDEN["cases"]])
def test_points_and_probes_are_the_references_bits_before_torchs_first_inexact_sqrt(case,
                                                                                     driver):
    trajectory = engine_run(case, driver)
    assert identical_before_sqrt(case, trajectory)
    theirs = decoded(case, "points")
    assert trajectory.points.shape == theirs.shape
    scale = np.maximum(np.abs(theirs), 1.0)
    assert (np.abs(trajectory.points - theirs) / scale).max() <= 1e-9
    assert trajectory.evaluations.tolist() == [2] * trajectory.steps_taken
    if case["scheduler"] is not None:  # (a diverged run's last update is not a step taken)
        theirs = decoded(case, "lrs", 1).ravel()[: trajectory.steps_taken]
        assert trajectory.lrs.tolist() == theirs.tolist()


def test_every_base_but_lbfgs_is_offered_and_covered_plain_and_adaptive():
    bases = set(SPECS["sam"].param("base").choices)
    assert bases == set(SPECS) - set(CLOSURE) - {"sam"}
    covered = {c["kwargs"]["base"] for c in GOLDEN["cases"]}
    adaptive = {c["kwargs"]["base"] for c in GOLDEN["cases"] if c["kwargs"].get("adaptive")}
    assert covered == adaptive == set(TORCH_OPTIMIZERS) - set(CLOSURE)


def test_random_configurations_are_the_references_bits_before_the_sqrt():
    configs = GOLDEN["random"]
    assert len(configs) >= 50
    assert [i for i, c in enumerate(configs) if not identical_before_sqrt(c, engine_run(c))] == []


def test_rho_zero_is_the_base_optimizer_itself():
    f, start = get_function("beale"), [1.0, 1.5]
    plain = run(f, start, make_optimizer("sgd", lr=0.01, momentum=0.9), steps=60)
    sam = run(f, start, make_optimizer("sam", base="sgd", lr=0.01, momentum=0.9, rho=0.0),
              steps=60)  # fmt: skip
    assert sam.points.tolist() == plain.points.tolist()


def test_kwargs_are_its_own_then_its_bases_validated_as_the_base_validates_them():
    assert resolve("sam", {"base": "adam", "lr": 0.1})["betas"] == (0.9, 0.999)
    with pytest.raises(ValueError, match="Invalid rho, should be non-negative: -0.1"):
        resolve("sam", {"rho": -0.1})
    with pytest.raises(ValueError, match="base must be one of"):
        resolve("sam", {"base": "lbfgs"})
    with pytest.raises(ValueError, match="Invalid momentum value: -1.0"):
        resolve("sam", {"base": "sgd", "momentum": -1.0})
    with pytest.raises(ValueError, match="unexpected parameter"):
        resolve("sam", {"base": "sgd", "betas": [0.9, 0.99]})


def test_sam_runs_compiled_never_in_the_vector_lanes_and_basins_agree():
    f = get_function("himmelblau")
    optimizer = make_optimizer("sam", base="adam", lr=0.05, rho=0.1)
    assert choose_driver(f, optimizer=optimizer, record=False) == "catalog"
    starts = np.array([[1.0, -1.0], [-2.0, 2.5], [0.3, 0.1]])
    many = run_batch(f, starts, optimizer, steps=50, record=False)
    for i, start in enumerate(starts):
        alone = run(f, start, optimizer, steps=50)
        assert many.final_points[i].tolist() == alone.points[-1].tolist()


@pytest.mark.parametrize("base", SPECS["sam"].param("base").choices)
def test_every_base_gives_the_same_bits_and_probes_on_both_drivers(base):
    """Lion and schedule-free too (their own fixtures check their rules): the compiled SAM
    step and the array driver's agree, a schedule included."""
    optimizer = with_scheduler(make_optimizer("sam", base=base, lr=0.02, rho=0.1, adaptive=True),
                               {"name": "StepLR", "step_size": 10, "gamma": 0.7})  # fmt: skip
    f = get_function("beale")
    compiled, array = (run(f, [1.0, 1.5], optimizer, steps=60, driver=d, include_state=True)
                       for d in ("catalog", "array"))  # fmt: skip
    assert compiled.points.tolist() == array.points.tolist()
    assert [p.tolist() for p in compiled.probes] == [p.tolist() for p in array.probes]
    assert compiled.lrs.tolist() == array.lrs.tolist()
    assert set(compiled.states) == set(array.states)  # the base's state
