"""Issue 11: memory per request is estimated and capped (DESCENT_MAX_REQUEST_MEMORY_MB).

Before: a 64-run batch converted to CSV peaked at +608 MB and a 6-run race as HTML at
+373 MB (bench/bench_limits.py), and nothing bounded a request's memory. Now every
planned request is charged what it holds and what its response takes in its format, and
refused with a 422 naming the field before any work when that is over the cap."""

import dataclasses

import pytest

from app.api import work
from app.api.admission import Lane
from app.config import settings

MEMORY_CAP = "DESCENT_MAX_REQUEST_MEMORY_MB"
NETWORK = {"network": {"layers": [2, 70, 66, 1]}, "data": {"dataset": "circle", "n": 1}}


def race(runs: int, steps: int) -> dict:
    return {"runs": [{"function": "rastrigin", "start": [0.7, 0.7], "steps": steps, "tol": 0,
                      "optimizer": {"name": "adam", "lr": 1e-3 * (i + 1)}}
                     for i in range(runs)]}  # fmt: skip


@pytest.fixture
def admissions(monkeypatch):
    """Every admission to compute (all paths pass a lane): recorded, never run."""
    entered = []

    async def enter(self, ns, stop):
        entered.append(ns)
        raise AssertionError("admitted")

    monkeypatch.setattr(Lane, "enter", enter)
    return entered


def test_a_csv_too_big_for_the_memory_cap_is_refused_before_any_work(client, admissions):
    """64 runs × 9,000 steps: 2.9 million numbers, ~440 MB as CSV (measured: +432 MB
    for 9,656 steps): allowed. 14,000 steps: ~600 MB as CSV: refused, naming the cap."""
    response = client.post("/api/v1/trajectories/batch?format=csv", json=race(64, 14_000))
    assert response.status_code == 422, response.text[:300]
    error = response.json()["detail"][0]
    assert error["loc"] == ["body", "runs"] and MEMORY_CAP in error["msg"]
    assert "format=json" in error["msg"]
    assert admissions == []


def test_the_same_request_as_json_is_within_the_cap():
    """Converting to CSV takes twice the memory of JSON per number returned."""
    body = race(64, 14_000)
    from app.api.routes.many import plan_batch
    from app.api.schemas.many import BatchRequest

    ns, _ = plan_batch(BatchRequest.model_validate(body))  # JSON: no 422
    token = work.response_format.set("csv")
    try:
        with pytest.raises(Exception, match=MEMORY_CAP):
            plan_batch(BatchRequest.model_validate(body))
    finally:
        work.response_format.reset(token)
    assert ns < settings.max_request_operations


def test_a_network_run_recording_too_much_is_refused_naming_steps(client, admissions):
    """4,963 parameters × 1,000 steps: 80 MB recorded and five million numbers returned."""
    body = {"function": NETWORK, "start": {"init": "torch", "seed": 0}, "steps": 1_000,
            "optimizer": {"name": "sgd"}, "tol": 0}  # fmt: skip
    response = client.post("/api/v1/trajectories", json=body)
    assert response.status_code == 422
    error = response.json()["detail"][0]
    assert error["loc"] == ["body", "steps"] and MEMORY_CAP in error["msg"]
    assert admissions == []


def test_the_cap_is_a_setting(monkeypatch):
    """The same estimate passes under a higher cap and fails under a lower one."""

    def check(mb: int) -> bool:
        monkeypatch.setattr(work, "settings",
                            dataclasses.replace(settings, max_request_memory_mb=mb))  # fmt: skip
        try:
            work.check_operations("steps", 10**6, values=2_000_000, held=50 << 20)
        except Exception as error:  # noqa: BLE001
            assert MEMORY_CAP in str(error.detail)
            return False
        return True

    # 48 MB + 50 MB + 2,000,000 × 70 bytes: about 232 MB as JSON.
    assert check(300) and not check(200)


def test_rendering_is_charged_by_format():
    """Rendering a CSV costs ~25 times the CPU of JSON per number; HTML runs the batch again."""
    token = work.response_format.set("json")
    as_json = work.check_operations("runs", 10**8, values=10**6)
    work.response_format.reset(token)
    token = work.response_format.set("csv")
    as_csv = work.check_operations("runs", 10**8, values=10**6)
    work.response_format.reset(token)
    token = work.response_format.set("html")
    as_html = work.check_operations("runs", 10**8, values=10**6)
    work.response_format.reset(token)
    assert as_json == 10**8 + 10**6 * work.NS_PER_VALUE["json"]
    assert as_csv > 10 * (as_json - 10**8) + 10**8
    assert as_html > 2 * 10**8


def test_a_conversion_to_csv_runs_in_the_requests_admitted_slot(client, monkeypatch):
    """Before: a 3.5-CPU-s CSV conversion ran after the request left admission, on the
    threads that validate every other request."""
    import app.api.exports as exports

    events = []
    write, leave = exports._csv, Lane.leave

    def watched_write(*args):
        events.append("convert")
        return write(*args)

    def watched_leave(self, ns):
        events.append("leave")
        return leave(self, ns)

    monkeypatch.setattr(exports, "_csv", watched_write)
    monkeypatch.setattr(Lane, "leave", watched_leave)
    response = client.post("/api/v1/trajectories/batch?format=csv", json=race(2, 50))
    assert response.status_code == 200 and response.text.startswith("run,optimizer")
    assert events == ["convert", "leave"]
