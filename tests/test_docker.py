"""The Docker image does what `make run` does: `pip install .`, then `uvicorn app.main:app`.

No Docker daemon is needed: the Dockerfile and the Makefile are parsed, and the image's
start and health-check commands are run here as they would run in the container.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = (ROOT / "Dockerfile").read_text()
MAKEFILE = (ROOT / "Makefile").read_text()


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with continuation lines joined and comments dropped."""
    joined = re.sub(r"\\\n", " ", DOCKERFILE)
    pairs = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            pairs.append((keyword.upper(), rest.strip()))
    return pairs


def only(keyword: str) -> str:
    found = [rest for k, rest in instructions() if k == keyword]
    assert len(found) == 1, f"expected one {keyword}, found {found}"
    return found[0]


def exec_form(arguments: str) -> list[str]:
    words = json.loads(arguments)
    assert isinstance(words, list) and all(isinstance(w, str) for w in words)
    return words


def start_command() -> list[str]:
    """The words uvicorn is started with (CMD is ``sh -c "exec uvicorn ..."``)."""
    words = exec_form(only("CMD"))
    if words[:2] == ["sh", "-c"]:
        words = shlex.split(words[2])
    return words[1:] if words[0] == "exec" else words


def make_recipe(target: str) -> list[str]:
    match = re.search(rf"^{target}:.*\n((?:\t.*\n?)+)", MAKEFILE, re.MULTILINE)
    assert match, f"no {target} target in the Makefile"
    return [line.strip() for line in match.group(1).splitlines()]


def make_installs() -> list[str]:
    """The pip commands behind `make run` (its prerequisite ``$(VENV)/.installed``)."""
    return [line for line in make_recipe(r"\$\(VENV\)/\.installed") if "pip install" in line]


def test_the_image_installs_the_package_as_make_run_does():
    (make_install,) = make_installs()
    assert re.search(r"pip install( -q)? -c \$\(LOCK\) \.$", make_install)
    runs = " ".join(rest for k, rest in instructions() if k == "RUN")
    assert re.search(r"\bpip install -c requirements\.lock \.(\s|$)", runs)


def test_make_and_the_image_pin_versions_with_the_same_lock_file():
    assert re.search(r"^LOCK := requirements\.lock$", MAKEFILE, re.MULTILINE)
    copies = " ".join(rest for k, rest in instructions() if k == "COPY")
    assert "requirements.lock" in copies
    pins = [line for line in (ROOT / "requirements.lock").read_text().splitlines()
            if line and not line.startswith("#")]  # fmt: skip
    assert pins and all(re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[^=\s]+", p) for p in pins)
    names = {p.split("==")[0].lower() for p in pins}
    assert {"fastapi", "numpy", "numba", "plotly", "click", "pytest"} <= names


def test_the_image_starts_the_app_as_make_run_does():
    (make_run,) = make_recipe("run")
    make_words = shlex.split(make_run)
    docker_words = start_command()
    assert Path(make_words[0]).name == docker_words[0] == "uvicorn"
    assert make_words[1] == docker_words[1] == "app.main:app"
    # Both leave the access log to the app's own descent.access logger.
    assert "--no-access-log" in make_words and "--no-access-log" in docker_words


def test_the_image_serves_on_a_configurable_port_and_workers_behind_a_proxy():
    words = start_command()
    assert words[words.index("--host") + 1] == "0.0.0.0"
    assert words[words.index("--port") + 1] == "$PORT"
    assert words[words.index("--workers") + 1] == "$WEB_CONCURRENCY"
    assert "--proxy-headers" in words
    env = only("ENV")
    assert "PORT=8000" in env and "WEB_CONCURRENCY=1" in env


def test_the_image_runs_as_a_numeric_non_root_user():
    user = only("USER")
    assert user.isdigit() and int(user) != 0
    assert f"--uid {user}" in " ".join(rest for k, rest in instructions() if k == "RUN")


def test_the_health_check_polls_healthz():
    check = only("HEALTHCHECK")
    assert "/healthz" in check and "--timeout=" in check
    assert json.loads(check[check.index("CMD") + 3 :].strip())[0] == "python"


def health_flags() -> dict[str, str]:
    flags = only("HEALTHCHECK").split("CMD", 1)[0]
    return dict(re.findall(r"--([a-z-]+)=(\S+)", flags))


def seconds(text: str) -> float:
    match = re.fullmatch(r"(\d+(?:\.\d+)?)(ms|s|m)", text)
    assert match, text
    return float(match[1]) * {"ms": 0.001, "s": 1, "m": 60}[match[2]]


def test_the_health_check_probes_every_second_while_the_container_starts():
    """--start-interval (Docker >= 25): healthy about a second after the app answers, not at
    the first --interval probe; the start period covers a cold start (kernels compiling)."""
    flags = health_flags()
    assert seconds(flags["start-interval"]) <= 1
    assert seconds(flags["start-period"]) >= 30 > seconds(flags["start-interval"])
    assert seconds(flags["interval"]) >= 10 and seconds(flags["timeout"]) <= 5


def test_the_kernels_are_compiled_into_the_image_at_a_fixed_path():
    """Every worker of the container loads the kernels compiled at build time from one
    directory (DESCENT_KERNEL_CACHE), instead of each compiling its own at start."""
    steps = instructions()
    env = dict(re.findall(r"(\w+)=(\S+)", only("ENV")))
    cache = env["DESCENT_KERNEL_CACHE"]
    assert cache.startswith("/")
    user = only("USER")
    position = {k: i for i, (k, _) in enumerate(steps) if k in {"USER", "ENV"}}
    runs = [(i, rest) for i, (k, rest) in enumerate(steps) if k == "RUN"]
    (warm,) = [i for i, rest in runs if rest == "python -m app.engine.run.warm"]
    assert warm > position["ENV"] and warm > position["USER"]  # as the server's user, there
    assert any(f"mkdir {cache}" in rest and f"chown {user} {cache}" in rest for _, rest in runs)
    assert warm == max(i for i, _ in runs)  # nothing installed after it changes the engine


def cache_state(directory: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(directory)): (p.stat().st_mtime_ns, p.stat().st_size)
            for p in sorted(directory.rglob("*")) if p.is_file()}  # fmt: skip


def test_two_workers_load_the_kernels_compiled_before_them():
    """The image's order: warm the cache (its RUN step), then start WEB_CONCURRENCY=2
    workers; both start and answer without compiling or rewriting anything in the cache."""
    from app.engine.run import codegen

    env = {**os.environ, "PATH": str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"]}
    warm = subprocess.run([sys.executable, "-m", "app.engine.run.warm"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)  # fmt: skip
    assert warm.returncode == 0, warm.stderr
    directory = codegen.cache_dir()
    before = cache_state(directory)
    assert any(name.endswith(".nbc") for name in before)
    log = serve_until_healthy(workers=2)
    assert log.count("Application startup complete") == 2, log
    assert cache_state(directory) == before


def test_the_image_copies_what_the_app_reads():
    copied = " ".join(rest for k, rest in instructions() if k == "COPY")
    for needed in ("pyproject.toml", "README.md", "app", "templates", "static"):
        assert re.search(rf"(^|\s){needed}\s", copied + " "), needed


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_until_healthy(workers: int) -> str:
    """Run the CMD (bound to 127.0.0.1 instead of 0.0.0.0) until the HEALTHCHECK command
    passes, then stop it; returns the server's log."""
    port = free_port()
    bindir = str(Path(sys.executable).parent)
    env = {
        **os.environ,
        "PATH": bindir + os.pathsep + os.environ.get("PATH", ""),
        "PORT": str(port),
        "WEB_CONCURRENCY": str(workers),
    }
    command = exec_form(only("CMD"))
    command[-1] = command[-1].replace("--host 0.0.0.0", "--host 127.0.0.1")
    server = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        health = exec_form(only("HEALTHCHECK").split("CMD", 1)[1].strip())
        health[0] = sys.executable
        deadline = time.monotonic() + 60
        while True:
            result = subprocess.run(health, env=env, capture_output=True, timeout=10)
            if result.returncode == 0:
                break
            assert server.poll() is None, server.stderr.read().decode()
            assert time.monotonic() < deadline, result.stderr.decode()
            time.sleep(0.2)
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    return server.stderr.read().decode()


def test_the_start_and_health_check_commands_work_here():
    log = serve_until_healthy(workers=1)
    assert "descent.access method=GET path=/healthz status=200" in log
    assert '"GET /healthz HTTP/1.1" 200' not in log  # uvicorn's own access line is off
