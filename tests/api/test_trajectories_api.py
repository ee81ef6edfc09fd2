import json

import numpy as np
import pytest

from app.engine import get_function, make_optimizer, run

URL = "/api/v1/trajectories"


def body(**overrides):
    request = {
        "function": "rosenbrock",
        "start": [-1.5, 2.0],
        "optimizer": {"name": "adam", "lr": 0.05},
        "steps": 200,
        "tol": 1e-8,
    }
    request.update(overrides)
    return request


def test_trajectory_starts_at_the_start_and_matches_the_engine(client):
    response = client.post(URL, json=body())
    assert response.status_code == 200
    result = response.json()
    expected = run(get_function("rosenbrock"), [-1.5, 2.0], make_optimizer("adam", lr=0.05),
                   steps=200, tol=1e-8)  # fmt: skip
    assert result["points"][0] == [-1.5, 2.0]
    np.testing.assert_array_equal(result["points"], expected.points)
    assert len(result["points"]) == len(result["losses"]) == len(result["grad_norms"]) == 201
    assert result["status"] == "max_steps" and result["steps_taken"] == 200


def test_losses_and_gradient_norms_describe_each_point(client):
    result = client.post(URL, json=body(steps=20)).json()
    f = get_function("rosenbrock")
    points = np.array(result["points"])
    np.testing.assert_allclose(result["losses"], f.value(points))
    np.testing.assert_allclose(result["grad_norms"], np.linalg.norm(f.gradient(points), axis=1))


def test_resolved_optimizer_reports_torch_defaults(client):
    result = client.post(URL, json=body(steps=1)).json()
    assert result["optimizer"] == {
        "name": "adam", "lr": 0.05, "betas": [0.9, 0.999], "eps": 1e-8,
        "weight_decay": 0.0, "amsgrad": False, "maximize": False,
    }  # fmt: skip


def test_convergence_stops_before_the_step_budget(client):
    result = client.post(URL, json=body(function="bowl", start=[1, 1],
                                        optimizer={"name": "sgd", "lr": 0.1},
                                        steps=1000, tol=1e-6)).json()  # fmt: skip
    assert result["status"] == "converged"
    assert result["grad_norms"][-1] <= 1e-6 < result["grad_norms"][-2]
    assert result["steps_taken"] == len(result["points"]) - 1 < 1000


def test_zero_tolerance_never_converges(client):
    result = client.post(
        URL,
        json=body(
            function="bowl", start=[1, 1], tol=0, optimizer={"name": "sgd", "lr": 0.5}, steps=5
        ),
    ).json()
    assert result["status"] == "max_steps" and result["points"][-1] == [0, 0]


def test_divergence_is_reported_and_leaves_out_the_non_finite_point(client):
    response = client.post(
        URL,
        json=body(function="bowl", start=[1, 1], optimizer={"name": "sgd", "lr": 1e3}, steps=1000),
    )
    result = response.json()
    assert result["status"] == "diverged"
    assert result["steps_taken"] == len(result["points"]) - 1 < 1000
    assert "NaN" not in response.text and "Infinity" not in response.text


def test_gradient_noise_is_seeded_and_reproducible(client):
    noisy = body(function="bowl", start=[1, 1], gradient_noise=0.5, steps=30, seed=7)
    first, second = client.post(URL, json=noisy).json(), client.post(URL, json=noisy).json()
    other = client.post(URL, json={**noisy, "seed": 8}).json()
    assert first["points"] == second["points"] != other["points"]


def test_include_state_returns_gradients_and_optimizer_state_per_point(client):
    result = client.post(URL, json=body(steps=10, include_state=True)).json()
    assert len(result["gradients"]) == len(result["points"])
    assert set(result["states"]) == {"exp_avg", "exp_avg_sq", "m_hat", "v_hat"}
    assert result["states"]["exp_avg"][0] == [0, 0]
    assert all(len(v) == len(result["points"]) for v in result["states"].values())


def test_state_is_left_out_unless_asked_for(client):
    result = client.post(URL, json=body(steps=3)).json()
    assert "states" not in result and "gradients" not in result


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"start": [1.0]}, "start"),
        ({"start": [1.0, 2.0, 3.0]}, "start"),
        ({"start": [2e6, 0]}, "start"),
        ({"steps": 0}, "steps"),
        ({"steps": 100_001}, "steps"),
        ({"steps": 1.5}, "steps"),
        ({"tol": -1}, "tol"),
        ({"gradient_noise": -0.1}, "gradient_noise"),
        ({"seed": -1}, "seed"),
        ({"colour": "red"}, "colour"),
        ({"optimizer": {"name": "adam", "lr": -0.1}}, "lr"),
        ({"optimizer": {"name": "adam", "lr": 1001}}, "lr"),
        ({"optimizer": {"name": "adam", "lr": "nan"}}, "lr"),
        ({"optimizer": {"name": "adam", "lr": "inf"}}, "lr"),
        ({"optimizer": {"name": "adam", "lr": "1e400"}}, "lr"),
        ({"optimizer": {"name": "adam", "betas": [0.9, 1.0]}}, "betas"),
        ({"optimizer": {"name": "adam", "momentum": 0.9}}, "momentum"),
        ({"optimizer": {"name": "sparseadam"}}, "optimizer"),
        ({"optimizer": {"lr": 0.1}}, "optimizer"),
        ({"optimizer": {"name": "sgd", "nesterov": True}}, "optimizer"),
        ({"optimizer": {"name": "sgd", "nesterov": True, "momentum": 0.9, "dampening": 0.1}},
         "optimizer"),
        ({"optimizer": {"name": "rmsprop", "alpha": -0.5}}, "alpha"),
        ({"function": ""}, "function"),
    ],
)  # fmt: skip
def test_invalid_request_is_422_naming_the_field(client, overrides, field):
    response = client.post(URL, json=body(**overrides))
    assert response.status_code == 422, response.text
    assert field in json.dumps(response.json()["detail"])


def test_nesterov_error_carries_torchs_message(client):
    response = client.post(URL, json=body(optimizer={"name": "sgd", "nesterov": True}))
    assert "Nesterov momentum requires a momentum and zero dampening" in response.text


def test_unknown_function_trajectory_is_404(client):
    response = client.post(URL, json=body(function="banana"))
    assert response.status_code == 404 and "bowl" in response.json()["detail"]


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_json_literals_are_422(client, literal):
    raw = json.dumps(body()).replace("-1.5", literal)
    response = client.post(URL, content=raw, headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert literal not in response.text
