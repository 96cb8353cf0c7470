"""In CI every test must run: a skipped test fails the run there, and only there."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

SKIPPING_TESTS = """
import pytest

def test_needs_a_server():
    pytest.skip("no server here")

@pytest.mark.xfail(reason="a known bug is not a skip")
def test_known_bug():
    assert False
"""


def run_pytest(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "conftest.py").write_text(
        "from tests.ci_skips import pytest_make_collect_report, pytest_runtest_makereport  # noqa: F401\n"
    )
    (tmp_path / "test_skipping.py").write_text(SKIPPING_TESTS)
    clean = {k: v for k, v in os.environ.items() if k not in {"CI", "OMS_TEST_REQUIRE_POSTGRES"}}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path,
        env={**clean, "PYTHONPATH": str(REPO), "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("env", [{"CI": "true"}, {"OMS_TEST_REQUIRE_POSTGRES": "1"}])
def test_a_skip_fails_the_run_in_ci(tmp_path: Path, env: dict[str, str]) -> None:
    result = run_pytest(tmp_path, **env)
    assert result.returncode == 1, result.stdout
    assert "1 failed, 1 xfailed" in result.stdout
    assert "skipped, but every test must run in CI: Skipped: no server here" in result.stdout


def test_a_skip_is_only_a_skip_outside_ci(tmp_path: Path) -> None:
    result = run_pytest(tmp_path)
    assert result.returncode == 0, result.stdout
    assert "1 skipped, 1 xfailed" in result.stdout
