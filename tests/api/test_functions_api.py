import base64

import numpy as np
import pytest

from app.engine.catalog import CATALOG, get_function

IDS = list(CATALOG)
PLANAR_IDS = [fid for fid, f in CATALOG.items() if f.dims == 2]
FIELDS = {"id", "title", "dims", "formula", "domain", "minima", "start", "log_scale",
          "description", "story"}  # fmt: skip


def test_health_is_ok(client):
    assert client.get("/healthz").json() == {"status": "ok", "workers": 0}  # no lifespan run


def test_catalog_lists_every_function_with_every_field(client):
    functions = client.get("/api/v1/functions").json()["functions"]
    assert [f["id"] for f in functions] == IDS
    for info in functions:
        assert set(info) - {"data"} == FIELDS  # a fit to data also lists its points


@pytest.mark.parametrize("fid", IDS)
def test_function_info_matches_the_record(client, fid):
    info = client.get(f"/api/v1/functions/{fid}").json()
    record = get_function(fid)
    assert info["formula"] == record.formula
    assert info["domain"] == [list(b) for b in record.domain]
    assert [m["point"] for m in info["minima"]] == [list(m.point) for m in record.minima]
    assert all(isinstance(m["global"], bool) for m in info["minima"])


def test_log_scale_is_set_for_the_steep_functions(client):
    functions = client.get("/api/v1/functions").json()["functions"]
    assert {f["id"] for f in functions if f["log_scale"]} == {
        "rosenbrock", "goldstein-price", "beale", "matyas", "three-hump-camel", "six-hump-camel"
    }  # fmt: skip


@pytest.mark.parametrize("fid", IDS)
def test_the_story_is_served_from_the_record(client, fid):
    story = client.get(f"/api/v1/functions/{fid}").json()["story"]
    record = get_function(fid).story
    assert story["prompt"] == record.prompt and story["steps"] == record.steps
    assert [r["optimizer"] for r in story["runs"]] == [r.optimizer for r in record.runs]
    assert [r["expect"] for r in story["runs"]] == [list(r.expect) for r in record.runs]
    surface = client.get(f"/api/v1/functions/{fid}/surface").json()
    assert len(surface["x"]) == record.resolution  # the default grid is the record's


def test_unknown_function_is_404_naming_valid_ids(client):
    response = client.get("/api/v1/functions/banana")
    assert response.status_code == 404
    assert "rosenbrock" in response.json()["detail"]


def test_unknown_function_surface_is_404(client):
    assert client.get("/api/v1/functions/banana/surface").status_code == 404


@pytest.mark.parametrize("fid", PLANAR_IDS)
def test_list_surface_uses_plotly_row_order(client, fid):
    body = client.get(f"/api/v1/functions/{fid}/surface?resolution=7").json()
    x, y, z = np.array(body["x"]), np.array(body["y"]), np.array(body["z"])
    assert z.shape == (7, 7)
    f = get_function(fid)
    assert z[2][5] == pytest.approx(f.value(np.array([x[5], y[2]])))
    assert body["z_min"] == pytest.approx(z.min()) and body["z_max"] == pytest.approx(z.max())
    assert [x[0], x[-1]] == list(f.domain[0]) and [y[0], y[-1]] == list(f.domain[1])


def test_surface_window_and_resolution_are_respected(client):
    url = "/api/v1/functions/bowl/surface?resolution=5&x_min=0&x_max=1&y_min=-1&y_max=3"
    body = client.get(url).json()
    assert body["x"] == [0, 0.25, 0.5, 0.75, 1] and body["y"] == [-1, 0, 1, 2, 3]


def test_base64_surface_decodes_to_the_list_surface(client):
    url = "/api/v1/functions/rosenbrock/surface?resolution=9&encoding="
    as_list = np.array(client.get(url + "list").json()["z"])
    typed = client.get(url + "base64").json()["z"]
    assert typed["dtype"] == "f4" and typed["shape"] == "9,9"
    decoded = np.frombuffer(base64.b64decode(typed["bdata"]), dtype="<f4").reshape(9, 9)
    np.testing.assert_allclose(decoded, as_list, rtol=1e-6)


def test_surface_far_outside_float32_range_stays_finite(client):
    url = "/api/v1/functions/goldstein-price/surface?resolution=4&x_min=-1e6&x_max=1e6&encoding="
    typed = client.get(url + "base64").json()["z"]
    decoded = np.frombuffer(base64.b64decode(typed["bdata"]), dtype="<f4")
    assert np.isfinite(decoded).all()


@pytest.mark.parametrize(
    "query",
    [
        "resolution=1", "resolution=1001", "resolution=abc", "x_min=nan", "x_max=inf",
        "y_min=-1e400", "x_min=2&x_max=1", "y_min=1&y_max=1", "x_min=-2e6", "encoding=png",
    ],
)  # fmt: skip
def test_bad_surface_query_is_422_naming_the_field(client, query):
    response = client.get(f"/api/v1/functions/bowl/surface?{query}")
    assert response.status_code == 422
    field = query.split("=")[0] if "&" not in query else query.split("&")[0].split("=")[0]
    assert field in str(response.json()["detail"])


def test_a_y_window_for_a_one_variable_function_is_422(client):
    response = client.get("/api/v1/functions/parabola/surface?y_min=5&y_max=1")
    assert response.status_code == 422 and "one variable" in response.text
    assert client.get("/api/v1/functions/parabola/surface?x_min=0&x_max=1").status_code == 200
