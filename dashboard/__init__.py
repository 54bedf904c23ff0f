"""IRP Explorer: the Streamlit dashboard (run with ``streamlit run dashboard/app.py``)."""
