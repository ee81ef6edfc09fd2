"""Concurrent trajectory requests share batched runs and get their own answers."""

import asyncio

import httpx
import pytest

from app.api.coalesce import Coalescer
from app.engine import get_function, make_optimizer, run


def body(lr: float, start=(-1.5, 2.0)) -> dict:
    return {
        "function": "rosenbrock",
        "start": list(start),
        "optimizer": {"name": "sgd", "lr": lr, "momentum": 0.9},
        "steps": 200,
        "tol": 0,
    }


@pytest.mark.parametrize("clients", [1, 12])
def test_concurrent_requests_each_get_their_own_run(clients):
    from app.main import create_app

    async def fire():
        transport = httpx.ASGITransport(app=create_app())
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            requests = [body(1e-4 * (i + 1), (-1.5 + 0.1 * i, 2.0)) for i in range(clients)]
            answers = await asyncio.gather(
                *(http.post("/api/v1/trajectories", json=r) for r in requests)
            )
            return requests, [a.json() for a in answers]

    requests, answers = asyncio.run(fire())
    f = get_function("rosenbrock")
    for request, answer in zip(requests, answers):
        options = {k: v for k, v in request["optimizer"].items() if k != "name"}
        alone = run(f, request["start"], make_optimizer("sgd", **options), steps=200)
        assert answer["points"] == alone.points.tolist()
        assert answer["optimizer"]["lr"] == options["lr"]


def test_requests_arriving_during_a_batch_join_the_next_one(monkeypatch):
    import app.api.coalesce as coalesce

    sizes = []
    real = coalesce.run_group

    def counting(f, runs, minibatches=None, should_stop=None):
        sizes.append(len(runs))
        return real(f, runs, minibatches, should_stop)

    monkeypatch.setattr(coalesce, "run_group", counting)
    from app.api.schemas import TrajectoryRequest

    async def fire():
        coalescer = Coalescer()
        f = get_function("rosenbrock")
        runs = [TrajectoryRequest.model_validate(body(1e-4 * (i + 1))) for i in range(10)]
        return await asyncio.gather(*(coalescer.submit("k", f, r) for r in runs))

    results = asyncio.run(fire())
    assert len(results) == 10 and sum(sizes) == 10
    assert max(sizes) > 1  # they shared at least one batched call
