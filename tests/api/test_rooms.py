"""Class mode: a teacher opens a room, students join over the socket, runs reach the teacher.

The sockets talk to a real uvicorn on 127.0.0.1 (one event loop, as in production)."""

from __future__ import annotations

import json
import re
import socket
import threading
import time
import xml.etree.ElementTree as ET

import httpx
import pytest
import redis
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from app.config import settings
from app.rooms import model
from app.rooms.model import CODE_ALPHABET, RateLimit, clean_nickname, standings
from app.rooms.redis_store import HEADER_SECONDS, RedisRooms, key
from app.rooms.runs import Recorder
from app.rooms.store import MemoryRooms
from bench.cluster import RedisServer


@pytest.fixture(scope="module")
def server():
    import uvicorn

    from app.main import create_app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.02)
    yield f"127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture()
def client(server):
    with httpx.Client(base_url=f"http://{server}", timeout=30) as http:
        http.ws = f"ws://{server}"
        yield http


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory):
    """A real redis-server (Debian's) on a free loopback port; absent, the tests fail."""
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def redis_rooms(redis_server):
    return RedisRooms(redis_server.url)  # its listener runs on the server's loop


@pytest.fixture(params=["memory", "redis"])
def fresh_rooms(request, monkeypatch):
    """Each test gets an empty store (rate limits included), in memory and in Redis."""
    from app.rooms import live

    if request.param == "memory":
        store = MemoryRooms()
    else:
        store = request.getfixturevalue("redis_rooms")
        redis.Redis.from_url(request.getfixturevalue("redis_server").url).flushdb()
        fresh = MemoryRooms()  # new rate limits
        store.joins, store.creations, store.student_runs = (
            fresh.joins, fresh.creations, fresh.student_runs)  # fmt: skip
    monkeypatch.setattr(live, "rooms", store)
    monkeypatch.setattr(live, "recorder", Recorder(store))
    return store


class Socket:
    def __init__(self, url: str, **options) -> None:
        self.ws = connect(url, open_timeout=10, **options).__enter__()

    def send_json(self, message: dict) -> None:
        self.ws.send(json.dumps(message))

    def send_text(self, text: str) -> None:
        self.ws.send(text)

    def receive_json(self, joined: bool = False) -> dict:
        """The next message; "joined" notices are skipped unless asked for: with Redis a
        join published before a teacher connected may still reach them just after."""
        while True:
            message = json.loads(self.ws.recv(timeout=30))
            if joined or message["type"] != "joined":
                return message

    def close(self) -> None:
        self.ws.close()


def open_room(client, **settings_) -> dict:
    response = client.post("/api/v1/rooms", json=settings_)
    assert response.status_code == 201, response.text
    return response.json()


def say(ws, message: dict) -> dict:
    ws.send_json(message)
    return ws.receive_json()


def join(client, code, nickname="", resume=None):
    ws = Socket(f"{client.ws}/api/v1/rooms/{code}/ws")
    hello = {"type": "hello", "role": "student", "nickname": nickname}
    if resume:
        hello["resume"] = resume
    return ws, say(ws, hello)


def teacher(client, room):
    ws = Socket(f"{client.ws}/api/v1/rooms/{room['code']}/ws")
    welcome = say(ws, {"type": "hello", "role": "teacher", "token": room["teacher_token"]})
    return ws, welcome


def run_message(x=0.0, y=0.0, name="adam", lr=0.1) -> dict:
    return {"type": "run", "start": [x, y], "optimizer": {"name": name, "lr": lr}}


def test_opening_a_room_gives_a_code_links_qr_and_token(client, fresh_rooms):
    room = open_room(client, function="himmelblau")
    assert re.fullmatch(f"[{CODE_ALPHABET}]{{6}}", room["code"])
    assert room["join_url"].endswith(f"/rooms/{room['code']}")
    assert room["projector_url"].endswith(
        f"/rooms/{room['code']}/projector#token={room['teacher_token']}"
    )
    assert len(room["teacher_token"]) >= 32
    svg = client.get(room["qr_svg_url"])
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    assert ET.fromstring(svg.text).tag.endswith("svg")


def test_codes_never_use_letters_read_as_digits():
    assert not set("0O1IL") & set(CODE_ALPHABET)


def test_the_room_pages_are_served(client, fresh_rooms):
    room = open_room(client)
    for path in (f"/rooms/{room['code']}", f"/rooms/{room['code']}/projector"):
        page = client.get(path)
        assert page.status_code == 200 and 'id="landscape"' in page.text
        assert room["teacher_token"] not in page.text


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"steps": 0}, "steps"),
        ({"steps": settings.room_max_steps + 1}, "steps"),
        ({"function": "no-such-function"}, None),
        ({"function": "x^2"}, None),
        ({"function": {"expression": "x^2"}}, "function"),
        ({"optimizers": []}, "optimizers"),
        ({"optimizers": [{"name": "sparseadam"}]}, "optimizers"),
        ({"optimizers": [{"name": "adam", "ranges": {"lr": [1, 0.1]}}]}, "optimizers"),
        ({"optimizers": [{"name": "adam", "ranges": {"lr": [0.1, 2000]}}]}, "optimizers"),
        ({"capacity": settings.room_capacity + 1}, "capacity"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_room_settings_are_4xx_naming_the_field(client, fresh_rooms, body, field):
    response = client.post("/api/v1/rooms", json=body)
    assert 400 <= response.status_code < 500, response.text
    if field:
        assert field in response.text


def test_a_students_run_reaches_the_projector_with_board_and_counts(client, fresh_rooms):
    room = open_room(client, function="himmelblau", steps=200)
    projector, welcome = teacher(client, room)
    assert welcome["type"] == "welcome" and welcome["room"]["function"] == "himmelblau"
    student, hi = join(client, room["code"], "Ada")
    assert hi["type"] == "welcome" and hi["you"]["nickname"] == "Ada"
    assert projector.receive_json(joined=True)["type"] == "joined"
    mine = say(student, run_message(0.5, 0.5))
    assert mine["type"] == "run" and mine["run"]["participant"] == hi["you"]["id"]
    seen = projector.receive_json()
    assert seen["type"] == "runs" and [r["id"] for r in seen["runs"]] == [mine["run"]["id"]]
    run = seen["runs"][0]
    assert run["nickname"] == "Ada" and run["points"][0] == [0.5, 0.5]
    assert len(run["points"]) <= settings.room_trail_points
    assert run["basin"] >= 0  # Himmelblau's four minima name its basins
    assert seen["board"][0]["id"] == run["id"]
    assert seen["counts"] == {"adam": 1}
    student.close()
    projector.close()


def test_students_do_not_see_nicknames_unless_the_teacher_allows(client, fresh_rooms):
    room = open_room(client)
    student, _ = join(client, room["code"], "Grace")
    assert say(student, run_message())["run"]["nickname"] is None
    student.close()


def test_choices_outside_the_teachers_ranges_are_refused_naming_the_field(client, fresh_rooms):
    room = open_room(client, optimizers=[{"name": "sgd", "ranges": {"lr": [0.001, 0.01]}}])
    student, _ = join(client, room["code"])
    cases = [
        (run_message(name="adam"), "optimizer.name"),
        (run_message(name="sgd", lr=0.5), "optimizer.lr"),
        (
            {"type": "run", "start": [0, 0], "optimizer": {"name": "sgd", "momentum": 0.9}},
            "optimizer.momentum",
        ),
        (run_message(x=99.0, name="sgd", lr=0.005), "start"),
        ({"type": "run", "start": ["a", 1], "optimizer": {"name": "sgd"}}, "start"),
        ({"type": "dance"}, "type"),
    ]
    for message, field in cases:
        answer = say(student, message)
        assert answer["type"] == "error" and answer["field"] == field, answer
    student.close()


def test_simultaneous_runs_share_one_batched_call(client, fresh_rooms, monkeypatch):
    from app.api import coalesce

    calls = []
    real = coalesce.run_group

    def counting(f, runs, *rest):
        calls.append(len(runs))
        return real(f, runs, *rest)

    monkeypatch.setattr(coalesce, "run_group", counting)
    room = open_room(client, steps=2000)
    students = [join(client, room["code"])[0] for _ in range(6)]
    for i, ws in enumerate(students):
        ws.send_json(run_message(0.1 * i, 0.0))
    answers = [ws.receive_json() for ws in students]
    assert all(a["type"] == "run" for a in answers)
    assert sum(calls) == 6 and len(calls) < 6
    for ws in students:
        ws.close()


def test_a_removed_student_can_no_longer_run_or_resume(client, fresh_rooms):
    room = open_room(client)
    projector, _ = teacher(client, room)
    student, hi = join(client, room["code"], "Bob")
    projector.receive_json(joined=True)
    projector.send_json({"type": "remove", "participant": hi["you"]["id"],
                         "token": room["teacher_token"]})  # fmt: skip
    assert student.receive_json()["type"] == "removed"
    with pytest.raises(ConnectionClosed) as closed:
        student.receive_json()
    assert closed.value.rcvd.code == 4403
    again, answer = join(client, room["code"], resume=hi["you"])
    assert answer == {"type": "error", "field": "removed",
                      "detail": "the teacher removed you from this room"}  # fmt: skip
    projector.close()


def test_a_reconnecting_student_resumes_as_the_same_participant(client, fresh_rooms):
    room = open_room(client)
    student, hi = join(client, room["code"], "Cy")
    say(student, run_message())
    student.close()
    back, welcome = join(client, room["code"], resume=hi["you"])
    assert welcome["you"]["id"] == hi["you"]["id"] and len(welcome["runs"]) == 1
    back.close()


def test_controls_need_the_token_and_a_landscape_change_reaches_every_student(client, fresh_rooms):
    room = open_room(client)
    students = [join(client, room["code"])[0] for _ in range(3)]
    projector, _ = teacher(client, room)
    change = {"type": "settings", "settings": {"function": "rosenbrock"}}
    assert say(projector, change | {"token": "x" * 32})["field"] == "token"
    projector.send_json(change | {"token": room["teacher_token"]})
    for ws in students:
        state = ws.receive_json()
        assert state["type"] == "state" and state["room"]["function"] == "rosenbrock"
        assert state["cleared"] is True
    assert projector.receive_json()["room"]["function_info"]["id"] == "rosenbrock"
    for ws in [*students, projector]:
        ws.close()


def test_a_wrong_teacher_token_is_refused_at_hello(client, fresh_rooms):
    room = open_room(client)
    ws = Socket(f"{client.ws}/api/v1/rooms/{room['code']}/ws")
    answer = say(ws, {"type": "hello", "role": "teacher", "token": "guess"})
    assert answer["field"] == "token"


def test_a_locked_room_refuses_runs_and_a_closed_door_refuses_joins(client, fresh_rooms):
    room = open_room(client)
    student, _ = join(client, room["code"])
    projector, _ = teacher(client, room)
    token = room["teacher_token"]
    projector.send_json({"type": "settings", "settings": {"locked": True, "open": False},
                         "token": token})  # fmt: skip
    assert student.receive_json()["room"]["locked"] is True
    assert say(student, run_message())["field"] == "locked"
    _, refused = join(client, room["code"])
    assert refused["field"] == "closed"
    projector.close()


def test_the_runs_per_minute_of_a_student_are_capped(client, fresh_rooms, monkeypatch):
    monkeypatch.setitem(model.settings.__dict__, "room_runs_per_minute", 2)
    fresh_rooms.student_runs = RateLimit(2)
    room = open_room(client, steps=20)
    student, _ = join(client, room["code"])
    answers = [say(student, run_message())["type"] for _ in range(3)]
    assert answers == ["run", "run", "error"]
    student.close()


def test_a_full_room_refuses_the_next_student(client, fresh_rooms):
    room = open_room(client, capacity=2)
    join(client, room["code"])
    join(client, room["code"])
    _, refused = join(client, room["code"])
    assert refused["field"] == "full"


def test_oversized_messages_close_the_socket(client, fresh_rooms):
    room = open_room(client)
    student, _ = join(client, room["code"])
    student.send_text("x" * (settings.room_message_bytes + 1))
    with pytest.raises(ConnectionClosed) as closed:
        student.receive_json()
    assert closed.value.rcvd.code == 1009


def test_closing_the_room_tells_everyone_and_the_code_stops_working(client, fresh_rooms):
    room = open_room(client)
    student, _ = join(client, room["code"])
    projector, _ = teacher(client, room)
    projector.send_json({"type": "close", "token": room["teacher_token"]})
    assert student.receive_json()["type"] == "closed"
    assert client.get(f"/api/v1/rooms/{room['code']}").status_code == 404


def test_an_unknown_code_is_404_and_its_socket_closes(client, fresh_rooms):
    assert client.get("/api/v1/rooms/ZZZZZZ").status_code == 404
    ws = Socket(f"{client.ws}/api/v1/rooms/ZZZZZZ/ws")
    assert ws.receive_json()["field"] == "code"


def test_idle_rooms_expire(client, fresh_rooms, request):
    room = open_room(client)
    code = room["code"]
    if isinstance(fresh_rooms, MemoryRooms):
        fresh_rooms.rooms[code].last_active = time.monotonic() - settings.room_idle_seconds - 1
    else:  # Redis forgets it by itself: every key of the room carries the idle expiry
        direct = redis.Redis.from_url(request.getfixturevalue("redis_server").url)
        student, _ = join(client, code)
        assert say(student, run_message())["type"] == "run"
        for part in ("", "people", "runs"):
            assert settings.room_idle_seconds - 10 < direct.ttl(key(code, part))
            assert direct.ttl(key(code, part)) <= settings.room_idle_seconds
        for part in ("", "people", "runs"):
            direct.pexpire(key(code, part), 1)
        time.sleep(HEADER_SECONDS + 0.05)  # a replica trusts a room's header that long
    assert client.get(f"/api/v1/rooms/{code}").status_code == 404


def test_nicknames_are_capped_and_filtered():
    assert clean_nickname("<script>alert(1)</script>") == "scriptalert1script"
    assert clean_nickname("  Ada\u200b  Lovelace\n") == "Ada Lovelace"
    assert len(clean_nickname("x" * 500)) == settings.room_nickname_chars
    assert clean_nickname(42) == ""


def test_joins_from_one_address_are_rate_limited():
    limit = RateLimit(3, window=60)
    assert [limit.allow("a", now=t) for t in (0, 1, 2, 3)] == [True, True, True, False]
    assert limit.allow("b", now=3) and limit.allow("a", now=61)


def test_the_leaderboard_ranks_lowest_loss_then_fewest_steps():
    runs = [
        {"id": 1, "final_loss": 0.5, "steps_taken": 10},
        {"id": 2, "final_loss": None, "steps_taken": 3},
        {"id": 3, "final_loss": 0.1, "steps_taken": 90},
        {"id": 4, "final_loss": 0.1, "steps_taken": 40},
    ]
    assert [r["id"] for r in standings(runs)] == [4, 3, 1, 2]


def test_a_socket_flooding_messages_is_closed(client, fresh_rooms, monkeypatch):
    monkeypatch.setitem(settings.__dict__, "room_messages_per_minute", 3)
    room = open_room(client)
    student, _ = join(client, room["code"])
    assert [say(student, {"type": "ping"})["type"] for _ in range(3)] == ["pong"] * 3
    student.send_json({"type": "ping"})
    with pytest.raises(ConnectionClosed) as closed:
        student.receive_json()
    assert closed.value.rcvd.code == 4429


def test_a_room_on_a_typed_formula_runs_on_that_formula(client, fresh_rooms):
    room = open_room(
        client, function={"expression": "(x-1)^2 + (y+2)^2", "domain": [[-4, 4], [-4, 4]]}
    )
    student, _ = join(client, room["code"])
    run = say(student, run_message(3.0, 3.0, name="sgd", lr=0.1))["run"]
    assert run["end"] == pytest.approx([1.0, -2.0], abs=1e-3)
    assert run["basin"] == 0 and run["final_loss"] < 1e-6
    student.close()


def test_one_address_may_open_only_so_many_rooms_a_minute(client, fresh_rooms):
    for _ in range(settings.room_creations_per_minute):
        open_room(client)
    refused = client.post("/api/v1/rooms", json={})
    assert refused.status_code == 429 and "too many rooms" in refused.json()["detail"]


def test_another_sites_page_cannot_open_a_rooms_socket(client, fresh_rooms):
    room = open_room(client)
    url = f"{client.ws}/api/v1/rooms/{room['code']}/ws"
    with pytest.raises(InvalidStatus) as refused:
        Socket(url, origin="http://evil.example")
    assert refused.value.response.status_code == 403
    own = Socket(url, origin=str(client.base_url).rstrip("/"))
    welcome = say(own, {"type": "hello", "role": "student"})
    assert welcome["type"] == "welcome"
    own.close()


def test_a_landscape_the_room_cannot_use_is_refused_naming_it(client, fresh_rooms):
    room = open_room(client)
    projector, _ = teacher(client, room)
    token = room["teacher_token"]
    answer = say(projector, {"type": "settings", "settings": {"function": "parabola"},
                             "token": token})  # fmt: skip
    assert answer["field"] == "settings.function" and "two variables" in answer["detail"]
    answer = say(projector, {"type": "settings", "settings": {"steps": -1}, "token": token})
    assert answer["field"] == "settings.steps"
    projector.close()


def test_joins_from_one_address_past_the_limit_are_refused(client, fresh_rooms):
    fresh_rooms.joins = RateLimit(2)
    room = open_room(client)
    assert [join(client, room["code"])[1]["type"] for _ in range(2)] == ["welcome", "welcome"]
    assert join(client, room["code"])[1]["field"] == "rate"


def test_clearing_the_room_empties_trails_board_and_counts(client, fresh_rooms):
    room = open_room(client)
    student, _ = join(client, room["code"])
    say(student, run_message())
    projector, welcome = teacher(client, room)
    assert len(welcome["runs"]) == 1 and welcome["counts"] == {"adam": 1}
    projector.send_json({"type": "clear", "token": room["teacher_token"]})
    assert student.receive_json()["cleared"] is True
    state = projector.receive_json()
    assert state["cleared"] is True and state["board"] == [] and state["counts"] == {}
    _, again = teacher(client, room)
    assert again["runs"] == []
