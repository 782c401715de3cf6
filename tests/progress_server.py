"""``python -m tests.progress_server DIR PORT``: ``akg serve --store DIR`` on loopback, in a process of its own.

The same app as ``akg serve`` builds (the store folder's graph, its reports and tokens), without the
start-up validation of the whole corpus (most of a minute), so that tests can stop, kill and restart
a server on the same store folder quickly. A folder whose graph is open in one process cannot be opened
in another, nor again in the same one (fastapi keeps the app reachable), hence a process per server.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


@contextmanager
def server_process(store: Path, start_timeout: float = 120) -> Iterator[tuple[str, subprocess.Popen]]:
    """A server process on ``store``; yields its URL and the process (stopped with SIGTERM at the end)."""
    from tests.graphql_support import free_port

    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.progress_server", str(store), str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + start_timeout
    try:
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the server exited: {process.stderr.read().decode(errors='replace')[-2000:]}")
            try:
                if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the server did not start")
            time.sleep(0.1)
        yield url, process
    finally:
        if process.poll() is None:
            process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stderr.close()


def main(argv: list[str]) -> None:
    import uvicorn

    from akg import resources
    from akg.accountability import Accountability
    from akg.progress.service import ProgressService
    from akg.store import open_store
    from graphql_api.server import create_app

    root, port = Path(argv[0]), int(argv[1])
    store = open_store(location=root)
    progress = ProgressService.open(store, root, resources.shapes_dir())
    app = create_app(Accountability.from_store(store), None, progress=progress)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


if __name__ == "__main__":
    main(sys.argv[1:])
