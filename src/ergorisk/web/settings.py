"""Settings of `ergorisk serve`: data folder, database URL, limits and the access token."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

DEFAULT_DATA_DIR = Path("ergorisk-data")
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


@dataclass(frozen=True)
class Settings:
    """Everything the server needs; ``from_env`` fills the database URL and token from the
    environment (``ERGORISK_DATABASE_URL``, ``ERGORISK_TOKEN``) when not given."""

    data_dir: Path = DEFAULT_DATA_DIR
    database_url: str | None = None  # None: SQLite file ergorisk.db in data_dir
    max_upload_mb: float = 500.0
    workers: int = 1  # jobs running at once, each in its own process
    queue_size: int = 16  # jobs waiting; more are refused with 503
    token: str | None = None
    engine: str = "local"  # where jobs run: "local" (child processes) or "ray"
    ray_address: str | None = None  # with engine "ray": a cluster to join (None: a local Ray)
    host: str = "127.0.0.1"
    port: int = 8000

    def __post_init__(self) -> None:
        object.__setattr__(self, "data_dir", Path(self.data_dir).expanduser().resolve())
        if self.workers < 1:
            raise ValueError(f"workers must be at least 1, got {self.workers}")
        if self.queue_size < 1:
            raise ValueError(f"queue size must be at least 1, got {self.queue_size}")
        if not self.max_upload_mb > 0:
            raise ValueError(f"the upload limit must be positive, got {self.max_upload_mb} MB")
        if self.engine not in ("local", "ray"):
            raise ValueError(f"the engine is 'local' or 'ray', got {self.engine!r}")
        if self.ray_address and self.engine != "ray":
            raise ValueError("a Ray address goes with the Ray engine (--engine ray)")
        if self.token is not None and not self.token.strip():
            object.__setattr__(self, "token", None)

    @classmethod
    def from_env(cls, **values: object) -> Settings:
        values = {k: v for k, v in values.items() if v is not None}
        values.setdefault("database_url", os.environ.get("ERGORISK_DATABASE_URL") or None)
        values.setdefault("token", os.environ.get("ERGORISK_TOKEN") or None)
        return cls(**values)  # type: ignore[arg-type]

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'ergorisk.db'}"

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)

    def with_(self, **changes: object) -> Settings:
        return replace(self, **changes)  # type: ignore[arg-type]


def is_loopback(host: str) -> bool:
    return host in LOOPBACK_HOSTS or host.startswith("127.")
