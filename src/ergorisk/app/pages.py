"""Server-rendered pages of `ergorisk serve` (Jinja2 templates in app/templates)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
