"""Class mode across replicas: a real redis-server and two app processes sharing it.

Students talk to one replica and the teacher to the other (as behind the README's proxy);
then one replica is killed mid-class, and Redis is restarted. Without redis-server these
tests fail (``bench.cluster.redis_binary``): CI installs it (``.ci/run``)."""

from __future__ import annotations

import httpx
import pytest

from bench.cluster import RedisServer, Replica, replicas
from tests.api.room_client import Client, run

ENV = {"DESCENT_ROOM_JOINS_PER_MINUTE": "1000", "DESCENT_ROOM_RUNS_PER_MINUTE": "1000"}


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    redis_server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    env = {**ENV, "DESCENT_REDIS_URL": redis_server.url}
    apps = replicas(2, env)
    yield redis_server, apps, env
    for app in apps:
        app.stop()
    redis_server.stop()


@pytest.fixture()
def cluster(shared):
    """Redis up and two live replicas (one killed by an earlier test is started again)."""
    redis_server, apps, env = shared
    if redis_server.process is None:
        redis_server.start()
    for i, app in enumerate(apps):
        if app.process.poll() is not None:
            apps[i] = Replica(env).wait()
    return redis_server, apps


def open_class(app, **settings_) -> tuple[dict, Client]:
    room = httpx.post(f"{app.url}/api/v1/rooms", json={"steps": 200, **settings_}).json()
    return room, room["code"]


def teacher_on(app, room) -> Client:
    return Client(app.ws, room["code"], {"type": "hello", "role": "teacher",
                                          "token": room["teacher_token"]})  # fmt: skip


def students_on(app, room, n: int) -> list[Client]:
    return [Client(app.ws, room["code"], {"type": "hello", "role": "student",
                                          "nickname": f"S{i}"}) for i in range(n)]  # fmt: skip


def runs_seen(teacher: Client, count: int) -> list[dict]:
    seen = []
    while len(seen) < count:
        seen += teacher.until("runs")["runs"]
    return seen


def test_students_on_one_replica_reach_the_teacher_on_the_other(cluster):
    _, (a, b) = cluster
    room, code = open_class(a)
    teacher = teacher_on(b, room)
    students = students_on(a, room, 5)
    assert httpx.get(f"{b.url}/api/v1/rooms/{code}").json()["participants"] == 5
    for i, s in enumerate(students):
        s.send(run(-3 + i, 1.0))
    mine = [s.until("run")["run"] for s in students]
    seen = runs_seen(teacher, 5)
    assert sorted(r["id"] for r in seen) == sorted(r["id"] for r in mine) == [1, 2, 3, 4, 5]
    assert {r["participant"] for r in seen} == {s.you["id"] for s in students}

    teacher.send({"type": "settings", "settings": {"function": "rosenbrock"},
                  "token": room["teacher_token"]})  # fmt: skip
    for s in students:  # the change made on b reaches the students on a
        state = s.until("state")
        assert state["room"]["function"] == "rosenbrock" and state["cleared"] is True

    gone = students[0]
    teacher.send({"type": "remove", "participant": gone.you["id"], "token": room["teacher_token"]})
    assert gone.until("removed")["type"] == "removed"
    assert gone.closed_code() == 4403
    with pytest.raises(AssertionError, match="removed"):
        gone.connect(b.ws)  # nor may they come back through the other replica
    left = teacher.until("state", where=lambda m: m["room"]["participants"] == 4)
    assert gone.you["id"] not in {p["id"] for p in left["participants"]}


def test_killing_a_replica_mid_class_students_resume_on_the_other(cluster):
    _, (a, b) = cluster
    room, code = open_class(a)
    teacher = teacher_on(b, room)
    students = students_on(a, room, 4)
    for i, s in enumerate(students):
        s.send(run(i - 2.0, 2.0))
        s.until("run")
    runs_seen(teacher, 4)
    ids = [s.you["id"] for s in students]

    a.kill()  # mid-class: its sockets drop without a close frame
    for s in students:
        assert s.closed_code(timeout=10) in (None, 1006)
        welcome = s.connect(b.ws)  # the proxy would now send them to b
        assert welcome["you"]["id"] == s.you["id"] and len(welcome["runs"]) == 1
    assert [s.you["id"] for s in students] == ids
    info = httpx.get(f"{b.url}/api/v1/rooms/{code}").json()
    assert info["participants"] == 4 and info["revision"] == 1  # the room is intact
    for i, s in enumerate(students):
        s.send(run(i - 2.0, -2.0))
    assert sorted(s.until("run")["run"]["id"] for s in students) == [5, 6, 7, 8]
    seen = runs_seen(teacher, 4)
    assert {r["participant"] for r in seen} == set(ids)
    again = teacher_on(b, room).connect(b.ws)  # a reloaded projector gets the whole class
    assert len(again["runs"]) == 8 and len(again["participants"]) == 4


def test_restarting_redis_clients_recover_and_resume(cluster):
    redis_server, (a, b) = cluster
    room, code = open_class(a)
    teacher = teacher_on(b, room)
    students = students_on(a, room, 3)
    for i, s in enumerate(students):
        s.send(run(i - 1.0, 0.5))
        s.until("run")
    runs_seen(teacher, 3)

    redis_server.stop(save=True)  # as a Redis with its append-only file restarts
    assert httpx.get(f"{b.url}/api/v1/rooms/{code}").status_code == 503  # not a 500
    redis_server.start()
    for client, app in [*((s, a) for s in students), (teacher, b)]:
        # Each replica closes its sockets once it has Redis back (1012) or when they
        # spoke while it was away (1013); the page reconnects and resumes.
        assert client.closed_code() in (1012, 1013)
        client.connect(app.ws)
    assert [s.welcomes for s in students] == [2, 2, 2]
    for i, s in enumerate(students):
        s.send(run(i - 1.0, -0.5))
        assert s.until("run")["run"]["participant"] == s.you["id"]
    seen = runs_seen(teacher, 3)
    assert {r["id"] for r in seen} == {4, 5, 6}  # numbering carried on: the room survived


def test_a_redis_restarted_without_its_data_ends_the_class_clearly(cluster):
    redis_server, (a, b) = cluster
    room, code = open_class(a)
    student = students_on(a, room, 1)[0]
    redis_server.stop(save=False)  # a crash of a Redis without persistence: rooms lost
    redis_server.start()
    assert student.closed_code() in (1012, 1013)
    with pytest.raises(AssertionError, match="no open room"):
        student.connect(b.ws)  # told the room is gone (4404: the page stops retrying)
    assert httpx.get(f"{a.url}/api/v1/rooms/{code}").status_code == 404
