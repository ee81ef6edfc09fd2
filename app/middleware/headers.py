"""Security headers on every response: CSP without inline script or eval, and friends."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.config import Settings
from app.middleware.asgi import without

# Swagger UI and ReDoc come from a CDN and start with an inline script.
DOCS_PATHS = ("/docs", "/docs/oauth2-redirect", "/redoc")


def content_security_policy(frame_ancestors: str, docs: bool = False) -> str:
    """The CSP: no inline script and no eval, except on FastAPI's /docs and /redoc pages,
    which load Swagger UI / ReDoc from a CDN and start them with an inline script."""
    cdn = "https://cdn.jsdelivr.net"
    if docs:
        script = f"script-src 'self' 'unsafe-inline' {cdn}"
        style = f"style-src 'self' 'unsafe-inline' {cdn} https://fonts.googleapis.com"
        img = "img-src 'self' data: blob: https://fastapi.tiangolo.com"
        font = "font-src 'self' data: https://fonts.gstatic.com"
    else:
        script = "script-src 'self'"
        style = "style-src 'self' 'unsafe-inline'"  # Plotly.js sets inline styles
        img = "img-src 'self' data: blob:"  # Plotly's icons and image export
        font = "font-src 'self' data:"
    directives = ["default-src 'self'", script, style, img, "connect-src 'self'", font]
    if docs:
        directives.append("worker-src 'self' blob:")  # ReDoc's search runs in a worker
    directives += ["object-src 'none'", "base-uri 'self'", f"frame-ancestors {frame_ancestors}"]
    return "; ".join(directives)


def security_headers(config: Settings, docs: bool = False) -> list[tuple[bytes, bytes]]:
    headers = {
        "content-security-policy": content_security_policy(config.frame_ancestors, docs),
        "x-content-type-options": "nosniff",
        "referrer-policy": "strict-origin-when-cross-origin",
        "cross-origin-opener-policy": "same-origin",
    }
    # X-Frame-Options for browsers without CSP frame-ancestors, when it can say the same.
    legacy = {"'self'": "SAMEORIGIN", "'none'": "DENY"}.get(config.frame_ancestors.strip())
    if legacy:
        headers["x-frame-options"] = legacy
    return [(k.encode(), v.encode()) for k, v in headers.items()]


class SecurityHeaders:
    def __init__(self, app: ASGIApp, config: Settings) -> None:
        self.app = app
        self.headers = security_headers(config)
        self.docs_headers = security_headers(config, docs=True)
        self.names = {k for k, _ in self.headers}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = self.docs_headers if scope["path"] in DOCS_PATHS else self.headers

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = without(list(message.get("headers", ())), self.names)
                message = {**message, "headers": headers + extra}
            await send(message)

        await self.app(scope, receive, send_with_headers)
