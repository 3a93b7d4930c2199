"""The wheel ships every package: setuptools' own reading of setup.py + pyproject.toml
(without building) lists every folder of Python code under ketamon/, migrations/ and
resources/, each under the name the app imports. `make wheel-check` builds the real
wheel, installs it and opens every window from it."""

from __future__ import annotations

import contextlib
import warnings
from pathlib import Path

import pytest
from setuptools._distutils.core import run_setup

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def dist():
    with contextlib.chdir(ROOT), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # setuptools' notes on its pyproject support
        return run_setup(str(ROOT / "setup.py"), stop_after="config")


def _folder(dist, package: str) -> Path:
    """Where setuptools takes `package` from (package-dir, nearest mapped parent first)."""
    parts = package.split(".")
    for cut in range(len(parts), 0, -1):
        mapped = dist.package_dir.get(".".join(parts[:cut]))
        if mapped is not None:
            return ROOT / mapped / Path(*parts[cut:])
    return ROOT / Path(*parts)


def _code_folders() -> set[Path]:
    folders = set()
    for top in ("ketamon", "migrations", "resources"):
        for path in (ROOT / top).rglob("*.py"):
            if "__pycache__" not in path.parts:
                folders.add(path.parent)
    return folders


def test_every_folder_of_code_is_a_package_of_the_wheel(dist) -> None:
    shipped = {_folder(dist, package) for package in dist.packages}
    assert shipped == _code_folders()
    assert "ketamon.ui.review" in dist.packages  # once left out of a hand-written list
    assert {"ketamon.migrations", "ketamon.migrations.versions", "ketamon.resources"} <= set(
        dist.packages
    )
    assert not [p for p in dist.packages if not p.startswith("ketamon")]  # nothing top-level


def test_the_migration_template_and_the_stylesheet_are_shipped(dist) -> None:
    assert "script.py.mako" in dist.package_data["ketamon.migrations"]
    assert "*.qss" in dist.package_data["ketamon.resources"]
