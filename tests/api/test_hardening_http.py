"""Issue 11, HTTP layer and memory: HEAD, relative asset URLs, strict JSON, CPU count,
formulas evaluated in blocks."""

import json
import tracemalloc

import numpy as np
import pytest

from app.config import usable_cpus
from app.engine import compile_expression


@pytest.mark.parametrize("path", ["/", "/healthz", "/api/v1/functions", "/api/v1/optimizers",
                                  "/api/v1/functions/bowl/surface?resolution=10"])  # fmt: skip
def test_head_answers_every_get_route_without_a_body(client, path):
    get, head = client.get(path), client.head(path)
    assert head.status_code == get.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]


def test_the_page_does_not_build_urls_from_the_host_header(client):
    page = client.get("/", headers={"host": "evil.example:666"})
    assert page.status_code == 200
    assert "evil.example" not in page.text
    assert 'src="/static/js/main.js"' in page.text


def test_a_deeply_nested_body_is_a_json_422(client):
    body = "[" * 100_000 + "]" * 100_000
    response = client.post("/api/v1/trajectories", content=body,
                           headers={"content-type": "application/json"})  # fmt: skip
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/json"
    assert "nested too deeply" in response.json()["detail"][0]["msg"]


def test_a_duplicate_key_is_a_422_naming_it(client):
    body = '{"function": "bowl", "start": [1, 1], "optimizer": {"name": "sgd", "lr": 0.1,' \
           ' "lr": 5}, "steps": 3}'  # fmt: skip
    response = client.post("/api/v1/trajectories", content=body,
                           headers={"content-type": "application/json"})  # fmt: skip
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "lr"]
    assert "duplicate key 'lr'" in response.text


def test_a_valid_body_still_reaches_the_app(client):
    body = json.dumps({"function": "bowl", "start": [1, 1], "optimizer": {"name": "sgd"},
                       "steps": 3})  # fmt: skip
    response = client.post("/api/v1/trajectories", content=body,
                           headers={"content-type": "application/json"})  # fmt: skip
    assert response.status_code == 200 and response.json()["steps_taken"] == 3


def cgroup(tmp_path, quota: str):
    (tmp_path / "cpu.max").write_text(quota)
    return tmp_path


def test_the_cpu_count_follows_a_cgroup_quota(tmp_path):
    affinity = usable_cpus(tmp_path)  # no quota files: the affinity mask
    assert usable_cpus(cgroup(tmp_path, "max 100000\n")) == affinity
    assert usable_cpus(cgroup(tmp_path, "50000 100000\n")) == 1
    if affinity >= 2:
        assert usable_cpus(cgroup(tmp_path, "150000 100000\n")) == 2


def test_a_formula_over_a_big_grid_keeps_few_temporaries():
    """~110 numpy operations over 250,000 points: all intermediates alive at once would
    take ~220 MB; evaluated in blocks and freed after last use, a few MB."""
    f = compile_expression("+".join(f"sinh(x^y^{k})" for k in range(1, 29)),
                           [[0.5, 1], [0.5, 1]])  # fmt: skip
    points = np.random.default_rng(0).uniform(0.5, 1, (500, 500, 2))
    expected = sum(np.sinh(points[..., 0] ** points[..., 1] ** k) for k in range(1, 29))
    tracemalloc.start()
    try:
        z = f.value(points)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert np.allclose(z, expected, rtol=1e-12)
    assert peak < 20e6, peak
