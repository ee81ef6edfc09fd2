"""Classroom traffic for `make load` (bench/load.py runs it headless against 127.0.0.1).

Each simulated student opens the page (HTML, CSS, ES modules, Plotly, the catalog and a
surface), then, with a little thinking time in between, mostly races optimizers (the page's
two-phase fetch: the first 100 steps of every run, then all 500, with optimizer state),
sometimes switches to another function's surface (or zooms), and now and then reloads the
page (static files revalidated with If-None-Match, as a browser does).
"""

from __future__ import annotations

import random

from locust import HttpUser, between, task

STATIC = [
    "/static/css/app.css",
    "/static/js/main.js",
    "/static/js/api.js",
    "/static/js/state.js",
    "/static/js/plot.js",
    "/static/js/runs.js",
    "/static/js/race.js",
]
OPTIMIZERS = [
    {"name": "sgd", "lr": 0.001},
    {"name": "sgd", "lr": 0.001, "momentum": 0.9},
    {"name": "adam", "lr": 0.05},
    {"name": "rmsprop", "lr": 0.01},
    {"name": "adagrad", "lr": 0.1},
]


class Student(HttpUser):
    wait_time = between(0.5, 2.0)

    def on_start(self) -> None:
        self.etags: dict[str, str] = {}
        self.open_page(revalidate=False)
        functions = self.client.get("/api/v1/functions").json()["functions"]
        self.functions = [f for f in functions if f["dims"] == 2] or functions
        self.client.get("/api/v1/optimizers")
        self.function = random.choice(self.functions)
        self.surface(self.function)

    def open_page(self, revalidate: bool) -> None:
        self.client.get("/", name="page /")
        for path in [*STATIC, "/vendor/plotly-cartesian.min.js"]:  # the full one: 3-D only
            headers = {}
            if revalidate and path in self.etags:
                headers["If-None-Match"] = self.etags[path]
            with self.client.get(
                path, headers=headers, name="page assets", catch_response=True
            ) as response:
                if response.status_code in (200, 304):
                    self.etags[path] = response.headers.get("etag", "")
                    response.success()
                elif response.status_code == 404:  # a module the page no longer has
                    response.success()

    def surface(self, f: dict, window: list | None = None) -> None:
        params = {"resolution": 200, "encoding": "base64"}
        if window:
            (params["x_min"], params["x_max"]), (params["y_min"], params["y_max"]) = window
        self.client.get(f"/api/v1/functions/{f['id']}/surface", params=params, name="surface")

    @task(6)
    def race(self) -> None:
        f = self.function
        start = [random.uniform(lo, hi) for lo, hi in f["domain"]]
        runs = random.sample(OPTIMIZERS, k=3)
        for steps, name in ((100, "trajectory (first 100 steps)"), (500, "trajectory (500)")):
            for optimizer in runs:
                body = {
                    "function": f["id"],
                    "start": start,
                    "optimizer": optimizer,
                    "steps": steps,
                    "tol": 1e-8,
                    "gradient_noise": 0,
                    "seed": 0,
                    "include_state": True,
                }
                self.client.post("/api/v1/trajectories", json=body, name=name)

    @task(2)
    def switch_function(self) -> None:
        self.function = random.choice(self.functions)
        self.surface(self.function)

    @task(1)
    def zoom(self) -> None:
        f = self.function
        window = []
        for lo, hi in f["domain"]:
            a, b = sorted(random.uniform(lo, hi) for _ in range(2))
            window.append((a, max(b, a + 0.1)))
        self.surface(f, window)

    @task(1)
    def reload(self) -> None:
        self.open_page(revalidate=True)
