"""Root conftest: makes the repository root importable (app.py, dashboard, pipelines)."""
