"""Class mode over HTTP and a WebSocket: open a room, join it, run, watch on the projector.

``POST /api/v1/rooms`` opens a room; ``/api/v1/rooms/{code}/ws`` is the room's socket
(Starlette's own). The first message says who is speaking:

- ``{"type": "hello", "role": "student", "nickname": "…", "resume": {"id", "secret"}}``
- ``{"type": "hello", "role": "teacher", "token": "…"}``

Students then send ``{"type": "run", "start": [x, y], "optimizer": {"name", …}}`` (see
``runs``); the teacher sends ``settings``, ``clear``, ``remove`` and ``close``, each
carrying the token (see ``control``). Rooms live in ``rooms`` (memory, or Redis when
``DESCENT_REDIS_URL`` is set); nothing here depends on which.
"""

from __future__ import annotations

import asyncio
import io
from urllib.parse import urlsplit

import orjson
import segno
from fastapi import APIRouter, HTTPException, Request, WebSocket
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.websockets import WebSocketDisconnect

from app.api.admission import off_loop
from app.config import settings
from app.rooms.control import control, for_student, public_state, teacher_state
from app.rooms.hub import close, dumps, envelope, hub, send_text
from app.rooms.model import (
    Participant,
    RateLimit,
    Refused,
    Room,
    RoomSettings,
    clean_nickname,
    same_secret,
)
from app.rooms.runs import Recorder, compute_run, landscapes, plan_function
from app.rooms.store import Full, Unavailable, make_store

router = APIRouter(tags=["rooms"])
HELLO_SECONDS = 10.0
rooms = make_store()
recorder = Recorder(rooms)
UNAVAILABLE = HTTPException(503, "the rooms' store is unavailable; retry shortly",
                            headers={"Retry-After": "2"})  # fmt: skip


def client_address(connection: Request | WebSocket) -> str:
    return connection.client.host if connection.client else "unknown"


# --- opening a room -------------------------------------------------------------------
@router.post("/api/v1/rooms", status_code=201, responses={422: {}, 429: {}, 503: {}})
async def open_room(config: RoomSettings, request: Request) -> JSONResponse:
    """Open a class room. Returns its code, the students' link, the projector's link (the
    teacher token in its fragment, which browsers never send), a QR code and the token."""
    if not rooms.creations.allow(client_address(request)):
        raise HTTPException(429, "too many rooms opened from this address; wait a minute")
    f, info = await off_loop(plan_function, config)
    try:
        room = await rooms.create(config, info)
    except Full:
        raise HTTPException(503, "the server holds as many rooms as it may; retry later",
                            headers={"Retry-After": "60"}) from None  # fmt: skip
    except Unavailable:
        raise UNAVAILABLE from None
    landscapes.keep(room, f)
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


async def found(code: str) -> Room:
    try:
        room = await rooms.get(code)
    except Unavailable:
        raise UNAVAILABLE from None
    if room is None:
        raise HTTPException(404, f"no open room has the code {code[:12]!r}")
    return room


@router.get("/api/v1/rooms/{code}", responses={404: {}, 503: {}})
async def room_info(code: str) -> JSONResponse:
    """What anyone with the code may know: the landscape and what students may choose."""
    return JSONResponse(public_state(await found(code)))


@router.get("/api/v1/rooms/{code}/qr.svg", responses={404: {}, 503: {}})
async def room_qr(code: str, request: Request) -> Response:
    """The students' link as a QR code (SVG), made here: no third-party service."""
    room = await found(code)
    url = f"{str(request.base_url).rstrip('/')}/rooms/{room.code}"
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=8, border=2, xmldecl=False)
    headers = {"Cache-Control": "no-store"}
    return Response(buffer.getvalue(), media_type="image/svg+xml", headers=headers)


# --- the socket -------------------------------------------------------------------------
async def send(ws: WebSocket, message: dict) -> None:
    await send_text(ws, dumps(message))


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
        message = orjson.loads(text)
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
        who = await rooms.participant(room.code, resume.get("id"))
        if who is not None and same_secret(resume.get("secret"), who.secret):
            if who.removed:
                raise Refused("removed", "the teacher removed you from this room")
            return "student", who
    if not rooms.joins.allow(client_address(ws)):
        raise Refused("rate", "too many joins from this address; wait a minute")
    who = await rooms.join(room.code, clean_nickname(message.get("nickname")))
    if who is None:
        raise Refused("code", "no open room has this code")
    return "student", who


CLOSE_CODES = {"removed": 4403, "token": 4401, "rate": 4429, "full": 4409, "closed": 4409,
               "code": 4404}  # fmt: skip


@router.websocket("/api/v1/rooms/{code}/ws")
async def room_socket(ws: WebSocket, code: str) -> None:
    origin = ws.headers.get("origin")
    allowed = {o.strip() for o in settings.cors_origins.split(",") if o.strip()}
    if origin and urlsplit(origin).netloc != ws.headers.get("host") and origin not in allowed:
        await ws.close(4403, "this page's origin may not use the room")  # another site's page
        return
    await ws.accept()
    try:
        await rooms.start()
        await serve(ws, code)
    except Unavailable:  # Redis restarting: 1013 tells the page to reconnect and resume
        await close(ws, 1013, "the rooms' store is unavailable; retry shortly")
    except WebSocketDisconnect:
        pass


async def serve(ws: WebSocket, code: str) -> None:
    room = await rooms.get(code)
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
    entry = (ws, role, who.id if who else None)
    flood = RateLimit(settings.room_messages_per_minute)
    hub.add(room.code, entry)
    try:
        await rooms.touch(room.code)
        room = await rooms.get(room.code) or room  # a joining student changed the count
        if role == "teacher":
            state = await teacher_state(rooms, room)
            runs = await rooms.runs(room.code)
            await send(ws, {"type": "welcome", "role": "teacher", "runs": runs, **state})
            await hub.welcomed(entry)
        else:
            you = {"id": who.id, "secret": who.secret, "nickname": who.nickname}
            runs = await rooms.runs(room.code, who.id)
            await send(ws, {"type": "welcome", "role": "student", "you": you,
                            "room": public_state(room), "runs": runs})  # fmt: skip
            await hub.welcomed(entry)
            joined = {"type": "joined", **await teacher_state(rooms, room)}
            await rooms.publish(envelope(room.code, teacher=joined))
        while True:
            message = await receive_message(ws)
            if message is None:
                return
            room = await rooms.get(room.code)
            if room is None:
                await send(ws, {"type": "closed"})
                await ws.close(4410, "the room was closed")
                return
            await rooms.touch(room.code)
            if not flood.allow("socket"):
                await ws.close(4429, "too many messages; wait a minute")
                return
            try:
                await handle(room, ws, role, who, message)
            except Refused as error:
                await send(ws, {"type": "error", "field": error.field, "detail": error.detail,
                                "retry_after": error.retry_after})  # fmt: skip
    finally:
        hub.discard(room.code, entry)


async def handle(room: Room, ws: WebSocket, role: str, who: Participant | None, message: dict):
    kind = message["type"]
    if kind == "ping":
        await send(ws, {"type": "pong"})
    elif role == "teacher":
        if not same_secret(message.get("token"), room.teacher_token):
            raise Refused("token", "control messages need the teacher token")
        await control(rooms, room, message)
    elif kind == "run":
        if who.removed:
            raise Refused("removed", "the teacher removed you from this room")
        run = await recorder.add(room, await compute_run(rooms, room, who, message))
        await send(ws, {"type": "run", "run": for_student(run, room)})
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
