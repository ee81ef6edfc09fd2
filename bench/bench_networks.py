"""Issue 14's benchmarks: network slices and training, side by side with torch in one run.

    PYTHONPATH=. /tmp/torchvenv/bin/python -m bench.bench_networks   # engine and torch rows
    .venv/bin/python -m bench.bench_networks                          # engine and HTTP rows

1. a 101 × 101 filter-normalised slice of a 2-8-8-1 tanh network on 200 points (the engine's
   compiled kernels) vs torch evaluating the same grid: batched ``torch.func.functional_call``
   under ``vmap``, and a loop of ``functional_call`` (timed on the first 1,000 of the 10,201
   vectors and scaled: the whole loop takes minutes) — the faster of the two;
2. 1000 Adam steps training that network (``run``) vs a float64 ``torch.optim.Adam`` loop;
3. the digits' 51 × 51 slice (64-16-10, 1,500 images) in-process.

Torch runs with its default threads and with one (the engine uses one core): each torch row
is the faster of the two. With uvicorn and httpx installed (the project's venv), the slices
are also timed through HTTP (a server on loopback, ``bench/server.py``).
"""

from __future__ import annotations

import numpy as np

from app.engine import make_optimizer, run
from app.engine.networks import network_function
from app.engine.networks.slices import directions, evaluate_slice
from bench.common import best_of, report, torch_or_none

LAYERS, N = [2, 8, 8, 1], 200
NET = {"network": {"layers": LAYERS, "activation": "tanh", "loss": "bce"},
       "data": {"dataset": "circle", "n": N, "noise": 0.1, "seed": 0}}  # fmt: skip
DIGITS = {"network": {"layers": [64, 16, 10], "activation": "tanh", "loss": "ce"},
          "data": {"dataset": "digits", "n": 1500}}  # fmt: skip
LOOPED = 1000


def torch_model(torch, f):
    layers = f.extra["network"]["layers"]
    parts = []
    for i in range(len(layers) - 1):
        parts.append(torch.nn.Linear(layers[i], layers[i + 1]))
        if i < len(layers) - 2:
            parts.append(torch.nn.Tanh())
    return torch.nn.Sequential(*parts).double()


def fastest_threads(torch, fn, repeat: int, warmup: int) -> float:
    """The best time of ``fn`` with torch's default threads and with one thread."""
    default = torch.get_num_threads()
    times = []
    for threads in dict.fromkeys((default, 1)):
        torch.set_num_threads(threads)
        times.append(best_of(fn, repeat, warmup))
    torch.set_num_threads(default)
    return min(times)


def torch_slice_rows(torch, f, center, d, axis) -> list[tuple[str, float]]:
    from torch.func import functional_call, vmap

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
            return [one(t) for t in thetas[:LOOPED]]

    scale = len(thetas) / LOOPED
    return [("torch vmap(functional_call)", fastest_threads(torch, batched, 3, 1)),
            ("torch loop of functional_call", fastest_threads(torch, looped, 1, 0) * scale)]


def torch_train_row(torch, f, center) -> tuple[str, float]:
    from torch.nn.utils import vector_to_parameters

    model = torch_model(torch, f)
    X, Y = torch.tensor(f.extra["x"]), torch.tensor(f.extra["y"])
    loss = torch.nn.BCEWithLogitsLoss()

    def train():
        vector_to_parameters(torch.tensor(center), model.parameters())
        opt = torch.optim.Adam(model.parameters(), lr=0.01)
        for _ in range(1000):
            opt.zero_grad()
            value = loss(model(X)[:, 0], Y)
            value.backward()
            opt.step()

    return ("torch.optim.Adam loop", fastest_threads(torch, train, 3, 1))


def http_rows() -> list[tuple[str, float]]:
    try:
        import httpx

        from bench.server import serve
    except ImportError:
        print("  (HTTP rows skipped: httpx/uvicorn are not installed in this interpreter)")
        return []
    rows = []
    with serve() as url, httpx.Client(base_url=url, timeout=60) as client:
        for name, spec, resolution in (("HTTP slice 101², 2-8-8-1", NET, 101),
                                       ("HTTP digits slice 51², 64-16-10", DIGITS, 51)):
            body = {"function": spec, "center": {"init": "torch", "seed": 0},
                    "resolution": resolution, "encoding": "base64"}  # fmt: skip

            def post(body=body):
                response = client.post("/api/v1/slices", json=body)
                assert response.status_code == 200, response.text

            rows.append((name, best_of(post, 5, 1)))
    return rows


def main() -> None:
    torch = torch_or_none()
    f = network_function(LAYERS, "tanh", "bce", dataset="circle", n=N, noise=0.1, seed=0)
    center = f.extra["init"](0)
    d, _ = directions(f, "filter-normalized", center)
    axis = np.linspace(-1, 1, 101)
    rows = [("engine slice 101²", best_of(lambda: evaluate_slice(f, center, d, axis, axis), 5, 1))]
    if torch is not None:
        rows += torch_slice_rows(torch, f, center, d, axis)
    report(rows + http_rows(), rows[0][0])

    adam = make_optimizer("adam", lr=0.01)
    rows = [("engine 1000 Adam steps", best_of(lambda: run(f, center, adam, steps=1000), 5, 1))]
    if torch is not None:
        rows.append(torch_train_row(torch, f, center))
    report(rows, rows[0][0])

    g = network_function([64, 16, 10], "tanh", "ce", dataset="digits", n=1500)
    gc = g.extra["init"](0)
    gd, _ = directions(g, "filter-normalized", gc)
    ax = np.linspace(-1, 1, 51)
    report([("engine digits slice 51²", best_of(lambda: evaluate_slice(g, gc, gd, ax, ax), 2, 1))],
           "engine digits slice 51²")  # fmt: skip


if __name__ == "__main__":
    main()
