"""``pip install .`` into a fresh virtual environment, then the README's library example from another folder.

The venv is a plain one (no system site-packages): pip installs the declared dependencies, so a
missing one fails here. The repository is copied to a temporary folder first, without its embedding
data, so the build's ``build/`` and ``*.egg-info`` land there and not in the checkout; the example
is read from README.md's "Use the library" section, so the README and this test cannot drift apart.
About 25 s with the dependencies' wheels in pip's cache (55 s on a busy 2-core machine).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow

# What the copy leaves out: VCS and tool state, earlier build output, and the embedding data (the
# wheel ships none; leaving it out also shows the installed package never reads the build tree).
_SKIP_NAMES = {".git", ".venv", "__pycache__", ".pytest_cache", ".ruff_cache", "build", "dist"}
_SKIP_SUFFIXES = (".egg-info", ".npz", ".pyc")


def readme_example() -> str:
    """The first ``python`` code block of README.md's "Use the library" section."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Use the library\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    assert blocks, "README.md's 'Use the library' section has no python code block"
    return blocks[0]


def _ignore(folder: str, names: list[str]) -> set[str]:
    skip = {n for n in names if n in _SKIP_NAMES or n.endswith(_SKIP_SUFFIXES)}
    if Path(folder).name == "cached_embeddings":
        skip.add("raw")  # the rebuild's downloads (a symlink in a dev checkout), never shipped
    return skip


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "IRP_CACHE_DIR")}
    env["PYTHONNOUSERSITE"] = "1"
    env.update(extra)
    return env


def _run(args: list[str], cwd: Path, timeout: float, **extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=cwd, env=_env(**extra), capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def venv_python(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("install")
    src, venv = tmp / "src", tmp / "venv"
    had_build = {p: (REPO / p).exists() for p in ("build", "irp_explorer.egg-info")}
    shutil.copytree(REPO, src, ignore=_ignore, symlinks=True)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    proc = _run([str(python), "-m", "pip", "install", "--quiet", "--no-input", "--disable-pip-version-check",
                 str(src)], cwd=tmp, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert {p: (REPO / p).exists() for p in had_build} == had_build, "pip install wrote into the checkout"
    return python


def test_installed_package_is_its_own(venv_python, tmp_path):
    code = ("import importlib.util, irp_core, irp_core.cache as c; print(irp_core.__file__); "
            "print(importlib.util.find_spec('cached_embeddings')); print(c.CHECKOUT_CACHE.exists())")
    proc = _run([str(venv_python), "-c", code], cwd=tmp_path, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    where, spec, has_cache = proc.stdout.split("\n")[:3]
    assert Path(where).is_relative_to(venv_python.parent.parent), where  # not the checkout's irp_core
    assert spec == "None" and has_cache == "False"  # the wheel carries the library, not the cache


def test_readme_example_runs_with_irp_cache_dir(venv_python, tmp_path):
    (tmp_path / "example.py").write_text(readme_example(), encoding="utf-8")
    proc = _run([str(venv_python), "example.py"], cwd=tmp_path, timeout=300,
                IRP_CACHE_DIR=str(REPO / "cached_embeddings"))
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    m = re.search(r"zero-shot accuracy (\d\.\d+)", proc.stdout)
    assert m, proc.stdout
    assert float(m.group(1)) > 0.95, proc.stdout  # README: 0.979; the head on Lite2's own vectors: 0.96


def test_readme_example_without_a_cache_says_what_to_do(venv_python, tmp_path):
    (tmp_path / "example.py").write_text(readme_example(), encoding="utf-8")
    proc = _run([str(venv_python), "example.py"], cwd=tmp_path, timeout=300)
    assert proc.returncode != 0
    last = proc.stderr.strip().splitlines()[-1]
    # the library's own error, raised where the cache is looked up, not an internal one on the way
    assert last.startswith("irp_core.cache.CacheError: no embedding cache"), proc.stderr[-3000:]
    assert "IRP_CACHE_DIR" in last and "root=" in last and "cached_embeddings" in last, last
    assert "During handling" not in proc.stderr and "git checkout" not in last, proc.stderr[-3000:]
