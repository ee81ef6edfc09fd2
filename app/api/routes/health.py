"""Liveness for load balancers and the Docker HEALTHCHECK."""

from fastapi import APIRouter

from app.api import processes
from app.api.schemas import Health

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health)
async def get_health() -> dict:
    """Answer ok while the server is up, with its worker processes ready."""
    pool = processes.pool()
    return {"status": "ok", "workers": pool.ready() if pool else 0}
