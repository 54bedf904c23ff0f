"""Every default of the dashboard, in one place.

The lead may retune these after an ablation; nothing else in ``dashboard/`` hard-codes them.
"""

DATASET = "mnist"
SOURCE_INDEX = 0  # default source: the dataset's first encoder
TARGET_INDEX = 1  # default target: its second encoder (the first when there is only one)

# The method's defaults equal irp_core.IRP()'s (a test checks it): the best zero-shot setting of the
# ablation in docs/ABLATION.md.
OMEGA = 1
OMEGA_MIN, OMEGA_MAX = 1, 32
DELTA = 0.0
DELTA_MIN, DELTA_MAX, DELTA_STEP = 0.0, 0.95, 0.05

K = 0  # anchor count; 0 means "all shipped anchors"
SEED = 0
CENTER = "whiten"
CENTER_OPTIONS = ("whiten", "anchor_mean", "none")
WHITEN_FLOOR = 0.003
RIDGE = 0.3
RIDGE_MIN, RIDGE_MAX, RIDGE_STEP = 0.0, 2.0, 0.05
PRUNE_ON = "source"
PRUNE_ON_OPTIONS = ("source", "target", "both")
RESCALE = "anchor_mean_norm"
RESCALE_OPTIONS = ("anchor_mean_norm", "anchor_median_norm", "none")
COMPLETION = False
HEAD = "linear"
HEAD_OPTIONS = ("linear", "mlp")

# Layout panel: how many test items are drawn, and how translated points are placed.
N_LAYOUT_POINTS = 1000
PLACE_K = 5  # translated point -> mean layout position of its k nearest true target embeddings
N_LINKED_ITEMS = 12  # items shown for a selection
MAX_RINGED = 300  # selected items ringed in the layouts

# Sensitivity grid.
SWEEP_OMEGAS = (1, 2, 4, 8, 16)
SWEEP_DELTAS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)

# Scale page: input rescaling alpha in [0.1, 10], log-spaced.
ALPHA_MIN, ALPHA_MAX, N_ALPHAS = 0.1, 10.0, 21

# Cross-lingual page.
XL_DATASET = "crosslingual"
XL_ENGLISH = "en"
N_XL_EXAMPLES = 8

# Caches bound for slider-dependent results.
CACHE_ENTRIES = 64
