"""A real HTTP server on 127.0.0.1 serving good and broken model files, and manifests that point at it."""

from __future__ import annotations

import hashlib
import json
import random
import socket
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from models import Manifest, load_manifest

BLOB_BYTES = 300_000  # a few hundred KB: several progress updates, no model weights copied


@dataclass(frozen=True)
class Blob:
    """A generated file and its real digest."""

    data: bytes
    sha256: str


def make_blob(seed: int, size: int = BLOB_BYTES) -> Blob:
    data = random.Random(seed).randbytes(size)
    return Blob(data, hashlib.sha256(data).hexdigest())


class _Handler(BaseHTTPRequestHandler):
    server: ModelServer

    def do_GET(self) -> None:
        self.server.hits[self.path] += 1
        route = self.server.routes.get(self.path)
        if route is None:
            self.send_error(404, "Not Found")
            return
        kind, body = route
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        if kind != "nolength":
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if kind == "drop":  # promise the whole body, send half, hang up
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class ModelServer(ThreadingHTTPServer):
    """Routes: path -> (kind, body); kind is full, nolength or drop. Counts hits per path."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.routes: dict[str, tuple[str, bytes]] = {}
        self.hits: Counter[str] = Counter()

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients that hang up early (a refused download) are expected here

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}{path}"


@pytest.fixture(scope="session")
def good() -> Blob:
    return make_blob(1)


@pytest.fixture
def server(good: Blob) -> Iterator[ModelServer]:
    srv = ModelServer()
    wrong = make_blob(2).data  # same size, other bytes
    half = good.data[: len(good.data) // 2]
    srv.routes.update(
        {
            "/good.bin": ("full", good.data),
            "/truncated.bin": ("full", half),
            "/truncated-nolength.bin": ("nolength", half),
            "/wrong.bin": ("full", wrong),
            "/longer-nolength.bin": ("nolength", good.data + b"extra"),
            "/drop.bin": ("drop", good.data),
        }
    )
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield srv
    finally:
        srv.shutdown()
        srv.server_close()
        thread.join(timeout=5)


@pytest.fixture
def refused_url() -> str:
    """A loopback URL where nothing listens (the port was just free)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/model.bin"


ManifestFactory = Callable[..., Manifest]


@pytest.fixture
def make_manifest(tmp_path: Path, good: Blob) -> Callable[..., Manifest]:
    """Write a one-or-more-model manifest into tmp_path and load it with the real loader.

    ``make_manifest(sources=[...])`` describes the good blob as model ``test-model``;
    ``extra=[entry, ...]`` adds more raw entries.
    """

    def build(
        sources: list[str],
        *,
        extra: list[dict[str, Any]] | None = None,
        optional: bool = False,
        path: Path | None = None,
    ) -> Manifest:
        entries = [entry("test-model", "test_model.onnx", good, sources, optional=optional)]
        entries.extend(extra or [])
        target = path or tmp_path / "manifest.json"
        target.write_text(json.dumps({"schema": 1, "models": entries}), encoding="utf-8")
        return load_manifest(target)

    return build


def entry(
    model_id: str, file: str, blob: Blob, sources: list[str], *, optional: bool = False, source_note: str = ""
) -> dict[str, Any]:
    return {
        "id": model_id,
        "task": "detector",
        "wrapper": "yunet",
        "file": file,
        "sha256": blob.sha256,
        "bytes": len(blob.data),
        "licence": "test data",
        "sources": sources,
        "source_note": source_note,
        "optional": optional,
        "input": {"size": [4, 4]},
    }
