"""IRP Explorer's core: Inverse Relative Projection (Maiorca et al., arXiv 2406.15057) and its metrics.

Pure numpy/scipy/scikit-learn: importing it never pulls in torch, timm or Streamlit.
"""

from .baselines import Absolute, LinearMap, Procrustes
from .scoring import PairScore, score_pair
from .translator import IRP
from .validation import IRPWarning

__all__ = ["IRP", "Absolute", "IRPWarning", "LinearMap", "PairScore", "Procrustes", "score_pair"]
__version__ = "0.1.0"
