"""Every default of the dashboard, in one place.

The method's defaults, ranges and option lists are irp_core's, written once there (``IRP()``'s
signature, :mod:`irp_core.params`); this module only names the ones the pages refer to.
The dashboard's own defaults (layout points, sweep grids, page settings) are set here, and the lead
may retune them; nothing else in ``dashboard/`` hard-codes them.
"""

from irp_core import params
from irp_core.dataset import HEAD_KINDS

DATASET = "mnist"
SOURCE_INDEX = 0  # default source: the dataset's first encoder
TARGET_INDEX = 1  # default target: its second encoder (the first when there is only one)

# The method's defaults are IRP()'s (the best zero-shot setting of the ablation in docs/ABLATION.md),
# its ranges and options irp_core.params'. A knob the pages name is read from there: nothing below
# is written twice.
_IRP = params.defaults()
OMEGA = _IRP["omega"]
OMEGA_MIN, OMEGA_MAX = int(params.param("omega").low), int(params.param("omega").high)
DELTA = _IRP["delta"]
DELTA_MIN, DELTA_MAX, DELTA_STEP = params.param("delta").low, params.param("delta").high, params.param("delta").step
N_ANCHORS = _IRP["n_anchors"] or 0  # anchor count; 0 means "all shipped anchors" (IRP's n_anchors=None)
RANDOM_STATE = _IRP["random_state"]
CENTER = _IRP["center"]
CENTER_OPTIONS, PRUNE_ON_OPTIONS, RESCALE_OPTIONS = (params.options(n) for n in ("center", "prune_on", "rescale"))
WHITEN_FLOOR = _IRP["whiten_floor"]
RIDGE = _IRP["ridge"]
RIDGE_MIN, RIDGE_MAX, RIDGE_STEP = params.param("ridge").low, params.param("ridge").high, params.param("ridge").step
PRUNE_ON = _IRP["prune_on"]
RESCALE = _IRP["rescale"]
COMPLETION = _IRP["completion"]
HEAD_OPTIONS = HEAD_KINDS
HEAD = HEAD_OPTIONS[0]  # linear: the heads of docs/ABLATION.md's default rows

# Layout panel: how many test items are drawn, and how translated points are placed.
N_LAYOUT_POINTS = 1000
PLACE_K = 5  # translated point -> mean layout position of its k nearest true target embeddings
N_LINKED_ITEMS = 12  # items shown for a selection
MAX_RINGED = 300  # selected items ringed in the layouts

# Sensitivity grid.
SWEEP_OMEGAS = (1, 2, 4, 8, 16)
# δ per centring, where the kept-anchor count moves: FPS on the shipped MNIST anchors keeps
# >= 1489 of 1500 EfficientNet anchors up to δ 0.35 whitened, but only 1-3 of them at δ 0.7 raw
# (centring none); centred, the ResNets drop to ~380 by δ 0.05 and to 5-6 by 0.7.
SWEEP_DELTAS_BY_CENTER = {
    "whiten": (0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95),
    "anchor_mean": (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7),
    "none": (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7),
}
SWEEP_DELTAS = SWEEP_DELTAS_BY_CENTER[CENTER]  # the default centring's


def sweep_deltas(center: str) -> tuple[float, ...]:
    """The Sensitivity grid's δ values for ``center``: where that centring's pruning moves."""
    return SWEEP_DELTAS_BY_CENTER.get(center, SWEEP_DELTAS)


# Scale page: input rescaling alpha in [0.1, 10], log-spaced.
ALPHA_MIN, ALPHA_MAX, N_ALPHAS = 0.1, 10.0, 21

# Cross-lingual page.
XL_DATASET = "crosslingual"  # the default corpus: gettext UI strings
XL_CORPORA = ("crosslingual", "emoji_names")  # parallel texts in several languages: the corpus choice
XL_ENGLISH = "en"
N_XL_EXAMPLES = 8

# Caches bound for slider-dependent results.
CACHE_ENTRIES = 64

# Spectrum view (Translate's spectrum tab, Method page): the δ grid of the condition-number curve.
SPECTRUM_DELTAS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
