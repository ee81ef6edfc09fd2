"""Class mode over HTTP and a WebSocket: open a room, join it, run, watch on the projector.

``POST /api/v1/rooms`` opens a room; ``/api/v1/rooms/{code}/ws`` is the room's socket
(Starlette's own WebSocket). The first message says who is speaking:

- ``{"type": "hello", "role": "student", "nickname": "…", "resume": {"id", "secret"}}``
- ``{"type": "hello", "role": "teacher", "token": "…"}``

Students then send ``{"type": "run", "start": [x, y], "optimizer": {"name", …}}``; each run
goes through the same coalescing path as ``POST /trajectories`` (runs arriving together
share one batched engine call, admitted like any computation). The teacher sends
``settings`` (a patch of the room's settings: landscape, optimizers, steps, open, locked,
…), ``clear``, ``remove`` (a participant) and ``close``, each carrying the token.
"""

from __future__ import annotations

import asyncio
import io
import json
import math
from typing import Any
from urllib.parse import urlsplit

import segno
from fastapi import APIRouter, HTTPException, Request, WebSocket
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import ValidationError
from starlette.websockets import WebSocketDisconnect, WebSocketState

from app.api.admission import StopSignal, compute, off_loop
from app.api.coalesce import coalescer
from app.api.function_specs import resolve_function, unprocessable
from app.api.grouping import group_key, run_group
from app.api.routes.functions import function_info
from app.api.schemas import TrajectoryRequest
from app.api.work import check_operations, runs_ns
from app.config import settings
from app.rooms.model import (
    Full,
    Participant,
    RateLimit,
    Room,
    RoomSettings,
    clean_nickname,
    rooms,
    same_secret,
)

router = APIRouter(tags=["rooms"])
HELLO_SECONDS = 10.0
SEND_SECONDS = 5.0


# --- opening a room -------------------------------------------------------------------
def plan_function(config: RoomSettings, where: str = "body") -> tuple[Any, dict]:
    f = resolve_function(config.function, where)
    if f.dims != 2:
        raise unprocessable([where, "function"], "a room's landscape must have two variables")
    return f, function_info(f)


def client_address(connection: Request | WebSocket) -> str:
    return connection.client.host if connection.client else "unknown"


@router.post("/api/v1/rooms", status_code=201, responses={422: {}, 429: {}, 503: {}})
async def open_room(config: RoomSettings, request: Request) -> JSONResponse:
    """Open a class room. Returns its code, the students' link, the projector's link (the
    teacher token in its fragment, which browsers never send), a QR code and the token."""
    if not rooms.creations.allow(client_address(request)):
        raise HTTPException(429, "too many rooms opened from this address; wait a minute")
    f, info = await off_loop(plan_function, config)
    try:
        room = rooms.create(config, f, info)
    except Full:
        raise HTTPException(503, "the server holds as many rooms as it may; retry later",
                            headers={"Retry-After": "60"}) from None  # fmt: skip
    base = str(request.base_url).rstrip("/")
    return JSONResponse(
        {
            "code": room.code,
            "join_url": f"{base}/rooms/{room.code}",
            "projector_url": f"{base}/rooms/{room.code}/projector#token={room.teacher_token}",
            "qr_svg_url": f"{base}/api/v1/rooms/{room.code}/qr.svg",
            "teacher_token": room.teacher_token,
        },
        status_code=201,
    )


def found(code: str) -> Room:
    room = rooms.get(code)
    if room is None:
        raise HTTPException(404, f"no open room has the code {code[:12]!r}")
    return room


@router.get("/api/v1/rooms/{code}", responses={404: {}})
def room_info(code: str) -> JSONResponse:
    """What anyone with the code may know: the landscape and what students may choose."""
    return JSONResponse(public_state(found(code)))


@router.get("/api/v1/rooms/{code}/qr.svg", responses={404: {}})
def room_qr(code: str, request: Request) -> Response:
    """The students' link as a QR code (SVG), made here: no third-party service."""
    room = found(code)
    url = f"{str(request.base_url).rstrip('/')}/rooms/{room.code}"
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=8, border=2, xmldecl=False)
    headers = {"Cache-Control": "no-store"}
    return Response(buffer.getvalue(), media_type="image/svg+xml", headers=headers)


# --- what is sent -----------------------------------------------------------------------
def public_state(room: Room) -> dict:
    c = room.config
    return {
        "code": room.code,
        "function": c.model_dump(mode="json")["function"],
        "function_info": room.function_info,
        "optimizers": [o.model_dump() for o in c.optimizers],
        "steps": c.steps,
        "open": c.open,
        "locked": c.locked,
        "show_nicknames": c.show_nicknames,
        "capacity": c.capacity,
        "participants": len(room.active()),
        "revision": room.revision,
    }


def teacher_state(room: Room) -> dict:
    people = [{"id": p.id, "nickname": p.nickname} for p in room.active()]
    return {"room": public_state(room), "participants": people,
            "board": room.board, "counts": room.counts}  # fmt: skip


def for_student(run: dict, room: Room) -> dict:
    return run if room.config.show_nicknames else {**run, "nickname": None}


async def send(ws: WebSocket, message: dict) -> None:
    if ws.application_state != WebSocketState.CONNECTED:
        return
    try:
        text = json.dumps(message, allow_nan=False, separators=(",", ":"))
        await asyncio.wait_for(ws.send_text(text), SEND_SECONDS)
    except Exception:  # noqa: BLE001 (a gone or stuck client: its own loop ends it)
        pass


async def to_teachers(room: Room, message: dict) -> None:
    teachers = [ws for ws, role, _ in list(room.sockets) if role == "teacher"]
    await asyncio.gather(*(send(ws, message) for ws in teachers))


async def to_everyone(room: Room, teacher: dict, student: dict) -> None:
    await asyncio.gather(*(send(ws, teacher if role == "teacher" else student)
                           for ws, role, _ in list(room.sockets)))  # fmt: skip


# --- students' runs ---------------------------------------------------------------------
class Refused(Exception):
    def __init__(self, field: str, detail: str, retry_after: int | None = None) -> None:
        super().__init__(detail)
        self.field, self.detail, self.retry_after = field, detail, retry_after


def finite(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def run_request(room: Room, message: dict) -> TrajectoryRequest:
    """The trajectory request of a student's click, within what the teacher allows."""
    start = message.get("start")
    if not (isinstance(start, list) and len(start) == 2
            and all(isinstance(v, int | float) and math.isfinite(v) for v in start)):  # fmt: skip
        raise Refused("start", "start must be two finite numbers [x, y]")
    for value, (lo, hi) in zip(start, room.function.domain):
        if not lo <= value <= hi:
            raise Refused("start", f"start must lie in the landscape [{lo}, {hi}]")
    chosen = message.get("optimizer")
    if not isinstance(chosen, dict) or not isinstance(chosen.get("name"), str):
        raise Refused("optimizer", "optimizer must be {name, …}")
    allowed = {o.name: o for o in room.config.optimizers}
    rule = allowed.get(chosen["name"])
    if rule is None:
        raise Refused("optimizer.name", f"this room allows: {', '.join(allowed)}")
    options: dict[str, Any] = {"name": rule.name}
    for key, value in chosen.items():
        if key == "name":
            continue
        if key not in rule.ranges:
            raise Refused(f"optimizer.{key}", f"{key} is fixed in this room")
        lo, hi = rule.ranges[key]
        if not (isinstance(value, int | float) and not isinstance(value, bool)
                and math.isfinite(value) and lo <= value <= hi):  # fmt: skip
            raise Refused(f"optimizer.{key}", f"{key} must be between {lo:g} and {hi:g}")
        options[key] = float(value)
    try:
        # The landscape was resolved when the room opened: the request names a stand-in (a
        # data spec's points are not validated again at each click) and the room's own
        # function is handed to the engine (``start_run``).
        return TrajectoryRequest.model_validate({
            "function": "bowl",
            "start": [float(v) for v in start], "optimizer": options,
            "steps": room.config.steps, "tol": room.config.tol,
        })  # fmt: skip
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        raise Refused(field, f"{field}: {first['msg']}") from None


def thin(points, limit: int) -> list[list[float]]:
    n = len(points)
    if n <= limit:
        keep = range(n)
    else:  # evenly spaced, the first and last included
        keep = sorted({round(i * (n - 1) / (limit - 1)) for i in range(limit)})
    return [[finite(points[i][0]), finite(points[i][1])] for i in keep]


async def start_run(room: Room, who: Participant, message: dict) -> dict:
    if room.config.locked:
        raise Refused("locked", "the teacher has paused the runs")
    request = run_request(room, message)
    if not who.runs.allow(who.id):
        wait = who.runs.retry_after(who.id)
        raise Refused("rate", f"{settings.room_runs_per_minute} runs a minute at most; "
                      f"wait {wait} s", wait)  # fmt: skip
    f, revision = room.function, room.revision
    ns = runs_ns(f, 1, request.steps, request.optimizer.name)
    try:
        check_operations("steps", ns)
        if ns > settings.heavy_operations:
            ran = await compute(ns, StopSignal(), lambda s: run_group(f, [request], None, s)[0])
        else:
            key = f"room {room.code} {revision} {group_key(request)}"
            ran = await coalescer.submit(key, f, request, StopSignal())
    except HTTPException as error:
        retry = error.headers.get("Retry-After") if error.headers else None
        raise Refused("busy" if error.status_code == 503 else "steps", str(error.detail),
                      int(retry) if retry else None) from None  # fmt: skip
    trajectory, optimizer = ran
    if room.closed or revision != room.revision or who.removed:
        raise Refused("landscape", "the landscape changed while this run computed")
    end = [float(v) for v in trajectory.points[-1]]
    run = {
        "id": room.next_run,
        "participant": who.id,
        "nickname": who.nickname,
        "optimizer": {
            "name": optimizer.name,
            **{k: v for k, v in optimizer.hyperparams.items() if k in ("lr", "momentum")},
        },  # fmt: skip
        "start": request.start,
        "points": thin(trajectory.points, settings.room_trail_points),
        "end": [finite(v) for v in end],
        "final_loss": finite(float(trajectory.losses[-1])) if len(trajectory.losses) else None,
        "steps_taken": int(trajectory.steps_taken),
        "status": trajectory.status,
        "basin": room.basin_of(end),
    }
    room.next_run += 1
    room.record(run)
    return run


# --- teacher's controls -----------------------------------------------------------------
async def control(room: Room, message: dict, ws: WebSocket) -> None:
    kind = message["type"]
    if kind == "settings":
        patch = message.get("settings")
        if not isinstance(patch, dict):
            raise Refused("settings", "settings must be an object of the room's settings")
        merged = room.config.model_dump(mode="json") | patch
        try:
            config = RoomSettings.model_validate(merged)
        except ValidationError as error:
            first = error.errors()[0]
            field = "settings." + ".".join(str(p) for p in first["loc"])
            raise Refused(field, f"{field}: {first['msg']}") from None
        new_landscape = config.function != room.config.function
        if new_landscape:
            try:
                f, info = await off_loop(plan_function, config, "settings")
            except HTTPException as error:
                detail = error.detail
                if isinstance(detail, list) and detail and isinstance(detail[0], dict):
                    detail = detail[0].get("msg", detail)
                raise Refused("settings.function", str(detail)) from None
            room.function, room.function_info = f, info
            room.reset()
            room.revision += 1
        room.config = config
        await broadcast_state(room, cleared=new_landscape)
    elif kind == "clear":
        room.reset()
        await broadcast_state(room, cleared=True)
    elif kind == "remove":
        who = room.participants.get(message.get("participant"))
        if who is None:
            raise Refused("participant", "no such participant")
        who.removed = True
        for other, role, pid in list(room.sockets):
            if role == "student" and pid == who.id:
                await send(other, {"type": "removed"})
                await other.close(4403, "removed by the teacher")
        await broadcast_state(room)
    elif kind == "close":
        room.closed = True
        for other, _, _ in list(room.sockets):
            await send(other, {"type": "closed"})
            if other is not ws:
                await other.close(4410, "the room was closed")
        rooms.remove(room.code)
    else:
        raise Refused("type", f"unknown message type {kind!r}")


async def broadcast_state(room: Room, cleared: bool = False) -> None:
    state = public_state(room)
    await to_everyone(room, {"type": "state", "cleared": cleared, **teacher_state(room)},
                      {"type": "state", "cleared": cleared, "room": state})  # fmt: skip


# --- the socket -------------------------------------------------------------------------
async def receive_message(ws: WebSocket) -> dict | None:
    """The next JSON object from the client; None once it left. Oversized messages close."""
    event = await ws.receive()
    if event["type"] == "websocket.disconnect":
        return None
    text = event.get("text")
    if text is None:
        text = (event.get("bytes") or b"").decode("utf-8", "replace")
    if len(text.encode()) > settings.room_message_bytes:
        await ws.close(1009, f"messages are at most {settings.room_message_bytes} bytes")
        return None
    try:
        message = json.loads(text)
    except ValueError:
        message = None
    if not isinstance(message, dict) or not isinstance(message.get("type"), str):
        return {"type": "invalid"}
    return message


async def hello(room: Room, ws: WebSocket, message: dict) -> tuple[str, Participant | None]:
    """Who is speaking: the teacher (with the token) or a student (new or resuming)."""
    if message.get("type") != "hello":
        raise Refused("type", "say hello first")
    if message.get("role") == "teacher":
        if not same_secret(message.get("token"), room.teacher_token):
            raise Refused("token", "wrong teacher token")
        return "teacher", None
    resume = message.get("resume")
    if isinstance(resume, dict):
        who = room.resume(resume.get("id"), resume.get("secret"))
        if who is not None:
            return "student", who
        pid, secret = resume.get("id"), resume.get("secret")
        previous = room.participants.get(pid) if isinstance(pid, str) else None
        if previous is not None and previous.removed and same_secret(secret, previous.secret):
            raise Refused("removed", "the teacher removed you from this room")
    if not rooms.joins.allow(client_address(ws)):
        raise Refused("rate", "too many joins from this address; wait a minute")
    if not room.config.open:
        raise Refused("closed", "the room is not open to new students")
    if len(room.active()) >= room.config.capacity:
        raise Refused("full", f"the room is full ({room.config.capacity})")
    return "student", room.join(clean_nickname(message.get("nickname")))


CLOSE_CODES = {"removed": 4403, "token": 4401, "rate": 4429, "full": 4409, "closed": 4409}


@router.websocket("/api/v1/rooms/{code}/ws")
async def room_socket(ws: WebSocket, code: str) -> None:
    origin = ws.headers.get("origin")
    allowed = {o.strip() for o in settings.cors_origins.split(",") if o.strip()}
    if origin and urlsplit(origin).netloc != ws.headers.get("host") and origin not in allowed:
        await ws.close(4403, "this page's origin may not use the room")  # another site's page
        return
    await ws.accept()
    room = rooms.get(code)
    if room is None:
        await send(ws, {"type": "error", "field": "code", "detail": "no open room has this code"})
        await ws.close(4404, "no such room")
        return
    try:
        first = await asyncio.wait_for(receive_message(ws), HELLO_SECONDS)
        if first is None:
            return
        role, who = await hello(room, ws, first)
    except (TimeoutError, Refused) as error:
        field = getattr(error, "field", "hello")
        detail = getattr(error, "detail", "no hello within 10 s")
        await send(ws, {"type": "error", "field": field, "detail": detail})
        await ws.close(CLOSE_CODES.get(field, 4400), detail[:120])
        return
    except WebSocketDisconnect:
        return
    entry = (ws, role, who.id if who else None)
    flood = RateLimit(settings.room_messages_per_minute)
    room.sockets.add(entry)
    room.touch()
    try:
        if role == "teacher":
            await send(ws, {"type": "welcome", "role": "teacher", "runs": list(room.runs),
                            **teacher_state(room)})  # fmt: skip
        else:
            own = [r for r in room.runs if r["participant"] == who.id]
            you = {"id": who.id, "secret": who.secret, "nickname": who.nickname}
            await send(ws, {"type": "welcome", "role": "student", "you": you,
                            "room": public_state(room), "runs": own})  # fmt: skip
            await to_teachers(room, {"type": "joined", **teacher_state(room)})
        while True:
            message = await receive_message(ws)
            if message is None or room.closed:
                return
            room.touch()
            if not flood.allow("socket"):
                await ws.close(4429, "too many messages; wait a minute")
                return
            try:
                await handle(room, ws, role, who, message)
            except Refused as error:
                await send(ws, {"type": "error", "field": error.field, "detail": error.detail,
                                "retry_after": error.retry_after})  # fmt: skip
    except WebSocketDisconnect:
        pass
    finally:
        room.sockets.discard(entry)


async def handle(room: Room, ws: WebSocket, role: str, who: Participant | None, message: dict):
    kind = message["type"]
    if kind == "ping":
        await send(ws, {"type": "pong"})
    elif role == "teacher":
        if not same_secret(message.get("token"), room.teacher_token):
            raise Refused("token", "control messages need the teacher token")
        await control(room, message, ws)
    elif kind == "run":
        if who.removed:
            raise Refused("removed", "the teacher removed you from this room")
        run = await start_run(room, who, message)
        await send(ws, {"type": "run", "run": for_student(run, room)})
        await to_teachers(room, {"type": "run", "run": run, "board": room.board,
                                 "counts": room.counts})  # fmt: skip
    else:
        raise Refused("type", f"unknown message type {kind!r}")


# --- the pages --------------------------------------------------------------------------
def room_page(request: Request, code: str, role: str) -> HTMLResponse:
    from app.pages import TEMPLATES, plotly_js  # noqa: PLC0415 (pages imports the templates)

    context = {"plotly_version": plotly_js()[1], "code": code.upper()[:12], "role": role}
    return TEMPLATES.TemplateResponse(request, "room.html", context)


@router.get("/rooms/{code}", response_class=HTMLResponse, include_in_schema=False)
def student_page(request: Request, code: str) -> HTMLResponse:
    return room_page(request, code, "student")


@router.get("/rooms/{code}/projector", response_class=HTMLResponse, include_in_schema=False)
def projector_page(request: Request, code: str) -> HTMLResponse:
    return room_page(request, code, "projector")
