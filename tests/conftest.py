import os

import matplotlib
import pytest

matplotlib.use("Agg")


def pytest_configure(config):
    config.addinivalue_line("markers", "widgets: live-view tests, run on ipywidgets 8 and again on 7.7.1")


@pytest.fixture(autouse=True)
def _fast_mode(monkeypatch):
    """Unit tests always see fast mode unless a test says otherwise."""
    monkeypatch.setenv("COURSE_FAST", os.environ.get("COURSE_FAST", "1"))
