"""Class mode in the browser: one projector and five students (one on a phone) in a room,
served by one process, and by two replicas sharing a real Redis (the projector on one,
the students on the other)."""

from __future__ import annotations

import os
from pathlib import Path

import httpx
import pytest

from bench.cluster import RedisServer, replicas
from tests.browser.conftest import App, Probe

PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}
PROJECTOR = {"viewport": {"width": 1280, "height": 720}}
LAPTOP = {"viewport": {"width": 1366, "height": 768}}
# Where students tap, as fractions of the plot area (one start each).
SPOTS = [(0.2, 0.25), (0.75, 0.3), (0.3, 0.8), (0.8, 0.75), (0.55, 0.5)]


def shoot(app: App, name: str, tmp_path: Path) -> None:
    """Screenshots for a person to look at: into ROOM_SHOTS if set, else the test's tmp."""
    folder = Path(os.environ.get("ROOM_SHOTS", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    app.page.screenshot(path=str(folder / f"{name}.png"))


def tap(app: App, fx: float, fy: float, touch: bool) -> None:
    box = app.plot_box()
    x, y = box["x"] + fx * box["width"], box["y"] + fy * box["height"]
    if touch:
        app.page.touchscreen.tap(x, y)
    else:
        app.page.mouse.click(x, y)


def trails(projector: App) -> int:
    return int(projector.js("document.body.dataset.trails || '0'"))


@pytest.fixture(scope="module")
def two_replicas(tmp_path_factory):
    redis_server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    apps = replicas(2, {"DESCENT_REDIS_URL": redis_server.url})
    yield apps
    for app in apps:
        app.stop()
    redis_server.stop()


@pytest.fixture(params=["one process", "two replicas"])
def sites(request, server_url) -> tuple[str, str]:
    """Where the projector and the students are served."""
    if request.param == "one process":
        return server_url, server_url
    teacher_side, student_side = request.getfixturevalue("two_replicas")
    return teacher_side.url, student_side.url


@pytest.fixture()
def classroom(browser, server_url):
    contexts = []

    def open_page(url: str, options: dict) -> App:
        context = browser.new_context(**options)
        contexts.append(context)
        page = context.new_page()
        probe = Probe()
        probe.attach(page)
        page.goto(url)
        return App(page, server_url, probe)

    yield open_page
    for context in contexts:
        context.close()


def test_five_students_trails_reach_the_projector_and_the_teacher_steers(
    classroom, sites, tmp_path
):
    teacher_side, student_side = sites
    room = httpx.post(f"{teacher_side}/api/v1/rooms", json={"function": "himmelblau", "steps": 300})
    assert room.status_code == 201
    room = room.json()
    projector = classroom(room["projector_url"], PROJECTOR)
    join_url = f"{student_side}/rooms/{room['code']}"
    projector.wait("document.body.dataset.revision === '1'", timeout=30)
    projector.wait("document.getElementById('room-qr').naturalWidth > 0")

    students = []
    for i in range(5):
        options = PHONE if i == 0 else LAPTOP
        student = classroom(join_url, options)
        student.page.fill("#nickname", f"<b>Student {i}</b>")
        student.page.click("#join")
        student.wait("document.body.dataset.revision === '1'", timeout=30)
        students.append(student)
    projector.wait("document.getElementById('people-count').textContent === '5'")

    for i, student in enumerate(students):
        tap(student, *SPOTS[i], touch=(i == 0))
    for student in students:
        student.wait("document.querySelectorAll('#my-runs li').length === 1", timeout=30)
    projector.wait("document.body.dataset.trails === '5'", timeout=30)
    board = projector.js("[...document.querySelectorAll('#board li')].map((li) => li.textContent)")
    assert len(board) == 5 and all("loss" in line for line in board)
    assert "Student 0" in " ".join(board) and "<b>" not in " ".join(board)  # tags filtered
    assert projector.js("document.querySelectorAll('#board b').length") == 0
    shoot(students[0], "student-phone", tmp_path)
    projector.page.click("#reveal")
    projector.wait("document.getElementById('reveal').getAttribute('aria-pressed') === 'true'", 30)
    shoot(projector, "projector", tmp_path)

    projector.page.select_option("#landscape-choice", "rosenbrock")
    for student in students:
        student.wait("document.body.dataset.revision === '2'", timeout=30)
        assert student.js("window.descentRoom.room.function") == "rosenbrock"
        assert student.js("document.querySelectorAll('#my-runs li').length") == 0
    projector.wait("document.body.dataset.trails === '0'")

    removed = students[1]
    who = removed.js("window.descentRoom.you.id")
    projector.page.click(f"button[data-participant='{who}']")
    removed.wait("document.getElementById('room-status').textContent.includes('removed')")
    projector.wait("document.getElementById('people-count').textContent === '4'")
    tap(removed, 0.5, 0.5, touch=False)
    tap(students[2], 0.4, 0.4, touch=False)  # a student still in the room can
    projector.wait("document.body.dataset.trails === '1'", timeout=30)
    removed.page.wait_for_timeout(500)
    assert trails(projector) == 1
    assert projector.js("window.descentRoom.runs[0].participant") != who
    for app in [projector, *students]:
        assert not app.probe.page_errors, app.probe.page_errors


def test_a_student_and_the_teacher_who_reload_keep_their_place(classroom, server_url):
    room = httpx.post(f"{server_url}/api/v1/rooms", json={"function": "himmelblau"}).json()
    projector = classroom(room["projector_url"], PROJECTOR)
    student = classroom(room["join_url"], PHONE)
    student.page.fill("#nickname", "Ada")
    student.page.click("#join")
    student.wait("document.body.dataset.revision === '1'", timeout=30)
    first = student.js("window.descentRoom.you.id")
    tap(student, 0.3, 0.3, touch=True)
    projector.wait("document.body.dataset.trails === '1'", timeout=30)

    student.js("window.descentRoom.socket.ws.close()")  # the network drops: it reconnects
    student.wait("document.body.dataset.welcomes === '2'", timeout=30)
    assert student.js("window.descentRoom.you.id") == first
    tap(student, 0.7, 0.7, touch=True)
    projector.wait("document.body.dataset.trails === '2'", timeout=30)
    student.page.reload()
    student.wait("document.querySelectorAll('#my-runs li').length === 2", timeout=30)
    assert student.js("window.descentRoom.you.id") == first
    assert student.page.input_value("#nickname") == "Ada"
    projector.page.reload()
    projector.wait("document.body.dataset.trails === '2'", timeout=30)
    assert projector.js("document.getElementById('people-count').textContent") == "1"
