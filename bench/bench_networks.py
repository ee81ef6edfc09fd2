"""Issue 14's benchmarks: network slices and training, side by side with torch in one run.

    PYTHONPATH=. /tmp/torchvenv/bin/python -m bench.bench_networks   # torch rows included
    .venv/bin/python -m bench.bench_networks                          # torch rows skipped

1. a 101 × 101 filter-normalised slice of a 2-8-8-1 tanh network on 200 points (the engine's
   batched numpy) vs torch evaluating the same grid: batched ``torch.func.functional_call``
   under ``vmap``, and a loop of ``functional_call`` — the faster of the two;
2. 1000 Adam steps training that network (the engine's array driver) vs a float64
   ``torch.optim.Adam`` loop.

The engine side is timed in-process here; the HTTP figure comes from ``bench_many``-style
requests in ``tests``-free runs (bench/README.md).
"""

from __future__ import annotations

import numpy as np

from app.engine import make_optimizer, run
from app.engine.networks import network_function
from app.engine.networks.slices import directions, evaluate_slice
from bench.common import best_of, report, torch_or_none

LAYERS, N = [2, 8, 8, 1], 200


def torch_model(torch, f):
    layers = f.extra["network"]["layers"]
    parts = []
    for i in range(len(layers) - 1):
        parts.append(torch.nn.Linear(layers[i], layers[i + 1]))
        if i < len(layers) - 2:
            parts.append(torch.nn.Tanh())
    return torch.nn.Sequential(*parts).double()


def main() -> None:
    torch = torch_or_none()
    f = network_function(LAYERS, "tanh", "bce", dataset="circle", n=N, noise=0.1, seed=0)
    center = f.extra["init"](0)
    d, _ = directions(f, "filter-normalized", center)
    axis = np.linspace(-1, 1, 101)
    rows = [("engine slice 101²", best_of(lambda: evaluate_slice(f, center, d, axis, axis), 3, 1))]
    if torch is not None:
        from torch.func import functional_call, vmap
        from torch.nn.utils import vector_to_parameters

        model = torch_model(torch, f)
        names = [n for n, _ in model.named_parameters()]
        shapes = [p.shape for p in model.parameters()]
        X, Y = torch.tensor(f.extra["x"]), torch.tensor(f.extra["y"])
        A, B = np.meshgrid(axis, axis)
        thetas = torch.tensor(center + np.stack([A.ravel(), B.ravel()], 1) @ d)
        loss = torch.nn.BCEWithLogitsLoss()

        def split(theta):
            out, at = {}, 0
            for name, shape in zip(names, shapes):
                size = int(np.prod(shape))
                out[name] = theta[at : at + size].reshape(shape)
                at += size
            return out

        def one(theta):
            return loss(functional_call(model, split(theta), (X,))[:, 0], Y)

        def batched():
            with torch.no_grad():
                return vmap(one)(thetas)

        def looped():
            with torch.no_grad():
                return [one(t) for t in thetas]

        rows.append(("torch vmap(functional_call)", best_of(batched, 3, 1)))
        rows.append(("torch loop of functional_call", best_of(looped, 1, 0)))
    report(rows, rows[0][0])

    adam = make_optimizer("adam", lr=0.01)
    rows = [("engine 1000 Adam steps", best_of(lambda: run(f, center, adam, steps=1000), 3, 1))]
    if torch is not None:
        model = torch_model(torch, f)
        X, Y = torch.tensor(f.extra["x"]), torch.tensor(f.extra["y"])
        loss = torch.nn.BCEWithLogitsLoss()

        def torch_train():
            vector_to_parameters(torch.tensor(center), model.parameters())
            opt = torch.optim.Adam(model.parameters(), lr=0.01)
            for _ in range(1000):
                opt.zero_grad()
                value = loss(model(X)[:, 0], Y)
                value.backward()
                opt.step()

        rows.append(("torch.optim.Adam loop", best_of(torch_train, 3, 1)))
    report(rows, rows[0][0])


if __name__ == "__main__":
    main()
