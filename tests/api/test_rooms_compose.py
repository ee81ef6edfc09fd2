"""The compose file and its nginx.conf, checked as far as this machine can without Docker.

What is tested: docker-compose.yml parses and wires two app replicas to the redis service
and deploy/nginx.conf into nginx; the upstreams of nginx.conf are those replicas; and
nginx.conf itself, run by Debian's nginx (``.ci/run`` installs it) with only the upstream
addresses and the listening port changed to loopback ones, proxies a class: a room opened
through it, a teacher's and a student's socket upgraded through it, a run reaching the
teacher, and the student resuming through it when their replica is killed. Not tested:
the images (pulling redis:7 and nginx:stable needs Docker and the internet)."""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from pathlib import Path

import httpx
import pytest
import yaml

from bench.cluster import RedisServer, replicas
from bench.server import free_port
from tests.api.room_client import Client, run

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
NGINX_CONF = (ROOT / "deploy" / "nginx.conf").read_text()
ENV = {"DESCENT_ROOM_JOINS_PER_MINUTE": "1000", "DESCENT_ROOM_RUNS_PER_MINUTE": "1000"}


def nginx_binary() -> str:
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")
    if found is None:  # fail, not skip: CI installs it
        raise RuntimeError("nginx is not installed (apt-get install nginx-light)")
    return found


def test_the_compose_file_runs_two_replicas_on_redis_behind_nginx():
    services = COMPOSE["services"]
    assert set(services) == {"app1", "app2", "redis", "nginx"}
    redis_command = " ".join(services["redis"]["command"])
    assert "--appendonly yes" in redis_command  # rooms survive a restart of Redis
    for name in ("app1", "app2"):
        app = services[name]
        assert app["build"] == "." and "redis" in app["depends_on"]
        assert app["environment"]["DESCENT_REDIS_URL"] == "redis://redis:6379/0"
        assert "ports" not in app  # reachable through nginx only (FORWARDED_ALLOW_IPS='*')
    mounts = services["nginx"]["volumes"]
    assert "./deploy/nginx.conf:/etc/nginx/conf.d/default.conf:ro" in mounts
    upstreams = re.findall(r"^\s*server (\S+):(\d+)", NGINX_CONF, re.MULTILINE)
    dockerfile = (ROOT / "Dockerfile").read_text()
    port = re.search(r"PORT=(\d+)", dockerfile).group(1)
    assert upstreams == [("app1", port), ("app2", port)]


@pytest.fixture(scope="module")
def proxied(tmp_path_factory):
    """Two replicas on a real Redis, and nginx running deploy/nginx.conf in front."""
    folder = tmp_path_factory.mktemp("nginx")
    redis_server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    apps = replicas(2, {**ENV, "DESCENT_REDIS_URL": redis_server.url})
    port = free_port()
    site = NGINX_CONF.replace("listen 80;", f"listen 127.0.0.1:{port};")
    for name, app in zip(("app1", "app2"), apps):
        site = site.replace(f"server {name}:8000", f"server 127.0.0.1:{app.port}")
    (folder / "site.conf").write_text(site)
    temp = "".join(f"{kind}_temp_path {folder}/{kind};\n"
                   for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))  # fmt: skip
    (folder / "nginx.conf").write_text(
        f"pid {folder}/nginx.pid;\nerror_log {folder}/error.log warn;\nworker_processes 1;\n"
        f"events {{ worker_connections 512; }}\n"
        f"http {{\naccess_log off;\n{temp}include {folder}/site.conf;\n}}\n"
    )
    command = [nginx_binary(), "-p", str(folder), "-c", str(folder / "nginx.conf")]
    checked = subprocess.run([*command, "-t"], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    nginx = subprocess.Popen([*command, "-g", "daemon off;"], stderr=subprocess.DEVNULL)
    url = f"127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            if httpx.get(f"http://{url}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            assert time.monotonic() < deadline, (folder / "error.log").read_text()
            time.sleep(0.1)
    yield url, apps
    nginx.terminate()
    nginx.wait(timeout=10)
    for app in apps:
        app.stop()
    redis_server.stop()


def test_a_class_through_nginx_survives_a_replica_killed(proxied):
    url, apps = proxied
    room = httpx.post(f"http://{url}/api/v1/rooms", json={"steps": 100})
    assert room.status_code == 201, room.text
    room = room.json()
    assert room["join_url"] == f"http://{url}/rooms/{room['code']}"  # Host passed on
    hello = {"type": "hello", "role": "teacher", "token": room["teacher_token"]}
    teacher = Client(f"ws://{url}", room["code"], hello)
    students = [Client(f"ws://{url}", room["code"], {"type": "hello", "role": "student"})
                for _ in range(4)]  # fmt: skip
    for i, s in enumerate(students):
        s.send(run(i - 2.0, 1.0))
        assert s.until("run")["run"]["participant"] == s.you["id"]
    seen = []
    while len(seen) < 4:
        seen += teacher.until("runs")["runs"]
    ids = [s.you["id"] for s in students]

    apps[0].kill()  # least_conn spread the sockets over both: some drop
    for s in students + [teacher]:
        try:
            s.send({"type": "ping"})
            s.until("pong", timeout=5)
        except Exception:  # noqa: BLE001 (its replica is gone: the page reconnects)
            s.connect(f"ws://{url}")  # nginx sends it to the live replica
    assert any(c.welcomes == 2 for c in [*students, teacher])  # some did fail over
    assert [s.you["id"] for s in students] == ids
    for i, s in enumerate(students):
        s.send(run(i - 2.0, -1.0))
    assert sorted(s.until("run")["run"]["id"] for s in students) == [5, 6, 7, 8]
    seen = []
    while len(seen) < 4:
        seen += teacher.until("runs")["runs"]
    assert sorted(r["id"] for r in seen) == [5, 6, 7, 8]
