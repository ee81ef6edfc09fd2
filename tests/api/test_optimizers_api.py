import pytest

from app.engine.optim.specs import SPECS


def test_every_optimizer_is_listed_with_its_parameters(client):
    listed = client.get("/api/v1/optimizers").json()["optimizers"]
    assert [o["name"] for o in listed] == list(SPECS)
    assert set(SPECS) >= {"sgd", "adam", "adamw", "rmsprop", "adagrad", "adamax", "nadam",
                          "radam", "adadelta", "asgd", "rprop", "adafactor"}  # fmt: skip
    for info in listed:
        spec = SPECS[info["name"]]
        assert [p["name"] for p in info["params"]] == [p.name for p in spec.params]


@pytest.mark.parametrize(
    ("name", "param", "default"),
    [("sgd", "lr", 1e-3), ("adam", "betas", [0.9, 0.999]), ("adamw", "weight_decay", 1e-2),
     ("rmsprop", "alpha", 0.99), ("adagrad", "eps", 1e-10), ("adamax", "lr", 2e-3),
     ("nadam", "momentum_decay", 4e-3), ("radam", "decoupled_weight_decay", False),
     ("adadelta", "rho", 0.9), ("asgd", "t0", 1e6), ("rprop", "etas", [0.5, 1.2]),
     ("rprop", "step_sizes", [1e-6, 50]), ("adafactor", "eps", [None, 1e-3]),
     ("adafactor", "beta2_decay", -0.8), ("sgd", "maximize", False)],
)  # fmt: skip
def test_listed_defaults_are_torchs(client, name, param, default):
    listed = {o["name"]: o for o in client.get("/api/v1/optimizers").json()["optimizers"]}
    params = {p["name"]: p for p in listed[name]["params"]}
    assert params[param]["default"] == default


def test_learning_rate_is_log_scaled_and_bounded(client):
    for info in client.get("/api/v1/optimizers").json()["optimizers"]:
        if info["name"] == "sam":  # its lr is its base's (listed beside the base)
            continue
        lr = next(p for p in info["params"] if p["name"] == "lr")
        assert lr["log_scale"] is True and lr["min"] == 0 and lr["max"] == 1000
