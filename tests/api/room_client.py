"""A room socket for tests that reconnects and resumes as the pages do (room-live.js)."""

from __future__ import annotations

import json
import time

from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect


class Client:
    """Pointed at one replica (or the proxy); ``connect`` again to resume elsewhere."""

    def __init__(self, ws_base: str, code: str, hello: dict) -> None:
        self.code, self.hello, self.you, self.welcomes = code, hello, None, 0
        self.connect(ws_base)

    def connect(self, ws_base: str, deadline: float = 30.0) -> dict:
        hello = dict(self.hello)
        if self.you:
            hello["resume"] = {"id": self.you["id"], "secret": self.you["secret"]}
        give_up = time.monotonic() + deadline
        while True:  # while Redis restarts, the socket is closed (1013): try again
            try:
                url = f"{ws_base}/api/v1/rooms/{self.code}/ws"
                self.ws = connect(url, open_timeout=5).__enter__()
                self.ws.send(json.dumps(hello))
                welcome = json.loads(self.ws.recv(timeout=10))
                break
            except (ConnectionClosed, OSError, TimeoutError):
                if time.monotonic() > give_up:
                    raise
                time.sleep(0.3)
        assert welcome["type"] == "welcome", welcome
        self.you = welcome.get("you", self.you)
        self.welcomes += 1
        return welcome

    def send(self, message: dict) -> None:
        self.ws.send(json.dumps(message))

    def until(self, kind: str, timeout: float = 30.0, where=lambda message: True) -> dict:
        give_up = time.monotonic() + timeout
        while True:
            message = json.loads(self.ws.recv(timeout=max(0.1, give_up - time.monotonic())))
            if message["type"] == kind and where(message):
                return message

    def closed_code(self, timeout: float = 30.0) -> int:
        """Read until the server closes the socket; its close code (None: dropped)."""
        try:
            while True:
                self.ws.recv(timeout=timeout)
        except ConnectionClosed as closed:
            return closed.rcvd.code if closed.rcvd else None

    def close(self) -> None:
        self.ws.close()


def run(x: float, y: float) -> dict:
    return {"type": "run", "start": [x, y], "optimizer": {"name": "adam", "lr": 0.05}}
