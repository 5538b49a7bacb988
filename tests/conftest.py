"""Shared test settings: hypothesis profiles, and LibreOffice as a hard requirement in CI."""

from __future__ import annotations

import os
import shutil

import pytest
from hypothesis import HealthCheck, settings

# "ci" is fast and fixed (derandomized: the same examples every run); "deep" explores.
settings.register_profile(
    "ci", max_examples=100, deadline=None, derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile("deep", max_examples=2000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_collection_modifyitems(config, items):
    """Skip LibreOffice tests where soffice is missing — but never in CI, where it must run."""
    if shutil.which("soffice"):
        return
    if os.environ.get("KPI_ENGINE_REQUIRE_LIBREOFFICE"):
        raise pytest.UsageError("LibreOffice (soffice) is required here: .ci/run installs it")
    skip = pytest.mark.skip(reason="LibreOffice (soffice) not installed")
    for item in items:
        if "libreoffice" in item.keywords:
            item.add_marker(skip)
