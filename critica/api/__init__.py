"""The REST API (FastAPI). Built by ``create_app``; served by ``critica serve``."""

from critica.api.app import create_app

__all__ = ["create_app"]
