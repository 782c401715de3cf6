"""``pip install .`` (not editable) gives an akg that finds its ontology, shapes and data."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_wheel_carries_ontology_shapes_and_data(tmp_path: Path) -> None:
    wheels, target = tmp_path / "wheels", tmp_path / "site"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--quiet"]
    subprocess.run([*pip, "wheel", "--no-deps", "-w", str(wheels), str(ROOT)], check=True, capture_output=True)
    (wheel,) = wheels.glob("akg-*.whl")
    subprocess.run([*pip, "install", "--no-deps", "--target", str(target), str(wheel)], check=True)
    # Run from an empty folder with only the installed copy first on the path, not the checkout.
    env = {**os.environ, "PYTHONPATH": str(target)}
    probe = "import akg, akg.resources as r; print(akg.__file__); print(r.data_dir()); print(r.shapes_dir())"
    where = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path, env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    assert all(path.startswith(str(target)) for path in where), where
    result = subprocess.run(
        [sys.executable, "-m", "akg_cli", "validate", "--format", "json"], cwd=tmp_path, env=env, capture_output=True
    )
    assert result.returncode == 0, result.stderr.decode()
    assert b'"obligations": ' in result.stdout
