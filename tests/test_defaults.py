"""The dashboard's defaults are the library's: written once, in irp_core."""

from irp_core import IRP


def test_the_dashboard_at_its_defaults_runs_irp_at_its_defaults():
    from dashboard import defaults
    from dashboard.views.settings import Settings

    assert IRP(**Settings().irp_kwargs()).get_params() == IRP().get_params()
    assert defaults.N_ANCHORS == 0 and IRP().n_anchors is None  # the sidebar's K = 0: all anchors, as IRP's None
    assert defaults.CENTER in defaults.CENTER_OPTIONS
