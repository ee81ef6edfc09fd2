"""Liveness for load balancers and the Docker HEALTHCHECK."""

from fastapi import APIRouter

from app.api.schemas import Health

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health)
async def get_health() -> dict:
    """Answer ok while the server is up."""
    return {"status": "ok"}
