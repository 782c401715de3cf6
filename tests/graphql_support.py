"""Helpers for the GraphQL tests: a real uvicorn server on a free loopback port, run in a thread."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn

from akg.accountability import Accountability
from akg.validation import Finding, Severity, ValidationReport
from graphql_api.server import create_app

DOC = "hubei-2022-child-welfare"


def sample_report() -> ValidationReport:
    """A small report (real validation takes many seconds): one warning, no violation."""
    return ValidationReport(
        results=(
            Finding(
                severity=Severity.WARNING,
                message="The obligation is assigned to a vague owner.",
                focus_node=f"https://w3id.org/akg/id/doc/{DOC}/obligation/3.1-2",
                path="https://w3id.org/akg/ontology#hasAssignment",
                source_shape="https://w3id.org/akg/shapes#Obligation-ownerIsDefinite",
                source_file=f"documents/{DOC}/obligations/1.2-3-closing.yaml",
                source_line=71,
            ),
        )
    )


def nested_query(depth: int) -> str:
    """A query ``depth`` levels deep (``broader { broader { ... } }``), to try the depth limit."""
    inner = "id"
    for _ in range(depth):
        inner = f"broader {{ {inner} }}"
    return f"{{ needs {{ {inner} }} }}"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serving(app: Any, lifespan: str = "off", start_timeout: float = 30) -> Iterator[str]:
    """Serve ``app`` with uvicorn on a free loopback port, in a thread; yields the base URL."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="critical", lifespan=lifespan)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + start_timeout
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)


@contextmanager
def running_server(accountability: Accountability, report: Any = None) -> Iterator[str]:
    """Serve ``create_app(accountability, report)``; yields the base URL."""
    with serving(create_app(accountability, report)) as url:
        yield url
