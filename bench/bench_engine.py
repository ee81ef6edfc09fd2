"""Issue 2's benchmark: a 1000-step Adam run on Rosenbrock through the API (in-process)
against the same run as a torch.optim loop, and a batch of 6 runs against one run.

    .venv/bin/python -m bench.bench_engine
"""

from __future__ import annotations

import numpy as np
from fastapi.testclient import TestClient

from app.engine import get_function, make_optimizer, run, run_batch
from app.main import create_app
from bench.common import best_of, report, torch_or_none

START, STEPS, LR = [-1.5, 2.0], 1000, 0.05
BODY = {
    "function": "rosenbrock",
    "start": START,
    "optimizer": {"name": "adam", "lr": LR},
    "steps": STEPS,
    "tol": 0,
}


def torch_loop(torch) -> np.ndarray:
    p = torch.tensor(START, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.Adam([p], lr=LR)
    points = [p.detach().clone()]
    for _ in range(STEPS):
        opt.zero_grad()
        x, y = p[0], p[1]
        loss = (1 - x) ** 2 + 100 * (y - x * x) ** 2
        loss.backward()
        opt.step()
        points.append(p.detach().clone())
    return torch.stack(points).numpy()


def main() -> None:
    client = TestClient(create_app())
    f, adam = get_function("rosenbrock"), make_optimizer("adam", lr=LR)
    six = np.tile(START, (6, 1))

    def api_call():
        response = client.post("/api/v1/trajectories", json=BODY)
        assert response.status_code == 200

    rows = [
        ("API, 1 run (in-process)", best_of(api_call)),
        ("engine run(), n = 1", best_of(lambda: run(f, START, adam, steps=STEPS))),
        ("engine run_batch(), n = 6", best_of(lambda: run_batch(f, six, adam, steps=STEPS))),
        ("engine run(), array driver", best_of(lambda: run(f, START, adam, steps=STEPS,
                                                          driver="array"))),
    ]  # fmt: skip
    torch = torch_or_none()
    if torch is not None:
        torch.set_num_threads(1)
        ours = run(f, START, adam, steps=STEPS).points
        deviation = np.abs(torch_loop(torch) - ours).max()
        print(f"max |torch - engine| over {STEPS} steps: {deviation:.3g}")
        rows.append(("torch.optim.Adam loop", best_of(lambda: torch_loop(torch), repeat=3)))
        report(rows, "torch.optim.Adam loop")
    else:
        print("torch is not importable: reporting the engine alone")
        report(rows, "engine run(), n = 1")
    one, batch = dict(rows)["engine run(), n = 1"], dict(rows)["engine run_batch(), n = 6"]
    print(f"batch of 6 costs {batch / one:.2f}x one run (goal < 1.5x)")


if __name__ == "__main__":
    main()
