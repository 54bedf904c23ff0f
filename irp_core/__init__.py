"""IRP Explorer's core: Inverse Relative Projection (Maiorca et al., arXiv 2406.15057) and its metrics.

Pure numpy/scipy/scikit-learn: importing it never pulls in torch, timm or Streamlit. ``IRP`` is the
scikit-learn estimator; ``translation_map`` is its functional form (what ``IRP.fit`` calls), and
``anchor_rows`` the anchor rows a fit with ``n_anchors`` uses. ``irp_core.params`` declares the
parameters once.
"""

from .baselines import Absolute, LinearMap, Procrustes
from .estimator import expected_failed_checks
from .functional import TranslationMap, anchor_rows, translation_map
from .scoring import PairScore, score_pair
from .translator import IRP
from .validation import IRPWarning

__all__ = ["IRP", "Absolute", "IRPWarning", "LinearMap", "PairScore", "Procrustes", "TranslationMap", "anchor_rows",
           "expected_failed_checks", "score_pair", "translation_map"]
__version__ = "0.1.0"
