"""Issue 13's speed goal: one 1000-step run through HTTP ≥ 50× a torch.optim loop, for every
optimizer and for a scheduled Adam.

    .venv/bin/python -m bench.bench_optim [--torch-python /path/to/python-with-torch]

The HTTP side runs in this interpreter (the app's); the torch loops run in an interpreter
that has torch (``--torch-python``, default ``$DESCENT_TORCH_PYTHON`` or
``/tmp/torchvenv/bin/python``), as ``python -m bench.bench_optim --torch-only``, which prints
their best-of times as JSON. torch uses float64, autograd, two threads, and the same
scheduler stepped after every update.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from bench.common import best_of

STEPS = 1000
COSINE = {"name": "CosineAnnealingLR", "T_max": 200, "eta_min": 1e-4}
CASES = {  # label -> (optimizer, kwargs, scheduler)
    **{name: (name, {"lr": 0.01}, None) for name in (
        "sgd", "adam", "adamw", "rmsprop", "adagrad", "adamax", "nadam", "radam", "adadelta",
        "asgd", "rprop", "adafactor")},
    "adam + CosineAnnealingLR": ("adam", {"lr": 0.05}, COSINE),
    "adam + StepLR": ("adam", {"lr": 0.05}, {"name": "StepLR", "step_size": 100, "gamma": 0.5}),
    # every request a new lr: no lr table reused from an earlier request (schedules.py caches)
    "adam + CosineAnnealingLR, new lr each time": ("adam", {"lr": 0.05}, COSINE),
    "adam + OneCycleLR": ("adam", {"lr": 0.05}, {"name": "OneCycleLR", "max_lr": 0.05,
                                                 "total_steps": STEPS}),
    "sgd + CyclicLR": ("sgd", {"lr": 1e-3, "momentum": 0.9},
                       {"name": "CyclicLR", "base_lr": 1e-4, "max_lr": 1e-3, "step_size_up": 50}),
    "adam + ReduceLROnPlateau": ("adam", {"lr": 0.05}, {"name": "ReduceLROnPlateau",
                                                        "patience": 5}),
    "sgd + ReduceLROnPlateau": ("sgd", {"lr": 1e-3, "momentum": 0.9},
                                {"name": "ReduceLROnPlateau", "patience": 5, "cooldown": 3}),
    "adamwschedulefree": ("adamwschedulefree", {"lr": 0.01, "warmup_steps": 50}, None),
    "sam (adam base)": ("sam", {"base": "adam", "lr": 0.01, "rho": 0.05}, None),
    "sam (sgd base, adaptive)": ("sam", {"base": "sgd", "lr": 2e-4, "momentum": 0.9,
                                         "adaptive": True, "rho": 0.1}, None),
    "lbfgs (strong_wolfe)": ("lbfgs", {"line_search_fn": "strong_wolfe"}, None),
    "lbfgs (lr 0.1, max_iter 5)": ("lbfgs", {"lr": 0.1, "max_iter": 5}, None),
}  # fmt: skip


def torch_times() -> dict[str, float]:
    import torch

    torch.set_num_threads(2)
    classes = {"sgd": "SGD", "adam": "Adam", "adamw": "AdamW", "rmsprop": "RMSprop",
               "adagrad": "Adagrad", "adamax": "Adamax", "nadam": "NAdam", "radam": "RAdam",
               "adadelta": "Adadelta", "asgd": "ASGD", "rprop": "Rprop",
               "adafactor": "Adafactor", "lbfgs": "LBFGS"}  # fmt: skip

    from app.engine.run.torch_inline import SAM

    namespace = {"torch": torch}
    exec(SAM, namespace)  # the generated scripts' SAM class (the reference's step)

    def make(name, kwargs, p):
        if name == "adamwschedulefree":
            from schedulefree import AdamWScheduleFree

            opt = AdamWScheduleFree([p], **kwargs)
            opt.train()
            return opt
        if name == "sam":
            own = {k: v for k, v in kwargs.items() if k in ("rho", "adaptive")}
            rest = {k: v for k, v in kwargs.items() if k not in ("base", "rho", "adaptive")}
            base = getattr(torch.optim, classes[kwargs["base"]])
            return namespace["SAM"]([p], base, **own, **rest)
        return getattr(torch.optim, classes[name])([p], **kwargs)

    def loop(name, kwargs, scheduler):
        p = torch.tensor([-1.5, 2.0], dtype=torch.float64, requires_grad=True)
        opt = make(name, kwargs, p)
        sched = None
        if scheduler:
            options = {k: v for k, v in scheduler.items() if k != "name"}
            sched = getattr(torch.optim.lr_scheduler, scheduler["name"])(opt, **options)
        def closure():
            opt.zero_grad()
            value = (1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2
            value.backward()
            return value

        points = []
        for _ in range(STEPS):
            if name == "lbfgs":  # step(closure) evaluates at p first and returns that loss
                loss = opt.step(closure)
            elif name == "sam":  # two forward-backward passes: at w, then at w + e
                loss = closure()
                opt.first_step(zero_grad=True)
                closure()
                opt.second_step(zero_grad=True)
            else:
                loss = closure()
                opt.step()
            if isinstance(sched, torch.optim.lr_scheduler.ReduceLROnPlateau):
                sched.step(loss.item())
            elif sched:
                sched.step()
            points.append(p.detach().clone())

    return {label: best_of(lambda c=case: loop(*c), repeat=3, warmup=1)
            for label, case in selected().items()}  # fmt: skip


def selected() -> dict:
    """``--only a,b``: the cases whose label contains one of the words (default: all)."""
    if "--only" not in sys.argv:
        return CASES
    words = sys.argv[sys.argv.index("--only") + 1].split(",")
    return {label: case for label, case in CASES.items() if any(w in label for w in words)}


def main() -> None:
    if "--torch-only" in sys.argv:
        print(json.dumps(torch_times()))
        return
    import httpx

    from bench.server import serve

    python = os.environ.get("DESCENT_TORCH_PYTHON", "/tmp/torchvenv/bin/python")
    if "--torch-python" in sys.argv:
        python = sys.argv[sys.argv.index("--torch-python") + 1]
    with serve(workers=1) as url, httpx.Client(base_url=url, timeout=60) as http:

        fresh = iter(range(1, 10**6))

        def post(name, kwargs, scheduler, label=""):
            if "new lr" in label:
                kwargs = kwargs | {"lr": kwargs["lr"] * (1 + 1e-9 * next(fresh))}
            body = {"function": "rosenbrock", "start": [-1.5, 2.0], "steps": STEPS, "tol": 0,
                    "optimizer": {"name": name, **kwargs}}  # fmt: skip
            if scheduler:
                body["scheduler"] = scheduler
            response = http.post("/api/v1/trajectories", json=body)
            assert response.status_code == 200, response.text

        ours = {label: best_of(lambda c=case, lb=label: post(*c, lb))
                for label, case in selected().items()}  # fmt: skip
    only = ["--only", sys.argv[sys.argv.index("--only") + 1]] if "--only" in sys.argv else []
    theirs = json.loads(subprocess.run(
        [python, "-m", "bench.bench_optim", "--torch-only", *only], check=True,
        capture_output=True,
        text=True, env={**os.environ, "PYTHONPATH": os.getcwd()}).stdout)  # fmt: skip
    print(f"{'run (1000 steps, Rosenbrock)':<28} {'HTTP':>9} {'torch':>9} {'ratio':>7}")
    for label in selected():
        ratio = theirs[label] / ours[label]
        print(f"{label:<28} {ours[label] * 1e3:7.2f}ms {theirs[label] * 1e3:7.1f}ms {ratio:6.0f}×")


if __name__ == "__main__":
    main()
