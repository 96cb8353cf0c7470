"""Pytest hooks: in CI every test must run, so a skip there (a missing server or file) is a failure."""

from __future__ import annotations

import os
from collections.abc import Generator

import pytest

EVERY_TEST_MUST_RUN = os.environ.get("CI", "").lower() in {"1", "true"} or bool(
    os.environ.get("OMS_TEST_REQUIRE_POSTGRES")
)


def _skip_fails(report: pytest.TestReport | pytest.CollectReport) -> None:
    if EVERY_TEST_MUST_RUN and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped, but every test must run in CI: {reason}"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport() -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    _skip_fails(report)
    return report


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report() -> Generator[None, pytest.CollectReport, pytest.CollectReport]:
    report = yield
    _skip_fails(report)
    return report
