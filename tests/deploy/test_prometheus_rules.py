"""The shipped Prometheus configuration and rules, checked by the real promtool:
``check config`` (with the rule files it names), ``check rules``, and the alerts' unit
tests (``deploy/prometheus/alerts.test.yml``: each alert fires on series that should
fire it, after its ``for:``, and stays quiet on healthy ones)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import yaml

from tests.deploy.conftest import program
from tests.deploy.prometheus_support import PROMETHEUS, RULE_FILES


def _promtool(*args: str, cwd: Path = PROMETHEUS) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [program("promtool"), *args], cwd=cwd, capture_output=True, text=True, timeout=60
    )


def test_promtool_checks_the_config_and_its_rule_files() -> None:
    done = _promtool("check", "config", "prometheus.yml")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "SUCCESS: 2 rule files found" in done.stdout + done.stderr


def test_promtool_checks_the_rules() -> None:
    done = _promtool("check", "rules", *RULE_FILES)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_alerts_unit_tests_pass() -> None:
    done = _promtool("test", "rules", "alerts.test.yml")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "SUCCESS" in done.stdout + done.stderr


def test_the_unit_tests_fail_when_an_alert_no_longer_fires(tmp_path: Path) -> None:
    """The unit tests can fail: with the 5xx threshold raised past the test's 9%, the
    alert stays quiet where the tests expect it."""
    for name in (*RULE_FILES, "alerts.test.yml"):
        shutil.copy(PROMETHEUS / name, tmp_path / name)
    alerts = tmp_path / "storybot-alerts.yml"
    text, rule = alerts.read_text(), "job:storybot_http_5xx:ratio_rate5m > 0.05"
    assert rule in text
    alerts.write_text(text.replace(rule, "job:storybot_http_5xx:ratio_rate5m > 0.5"))
    done = _promtool("test", "rules", "alerts.test.yml", cwd=tmp_path)
    assert done.returncode != 0
    assert "StorybotHigh5xxRatio" in done.stdout + done.stderr


def test_every_alert_has_a_section_in_the_runbook_and_a_unit_test() -> None:
    runbook = (PROMETHEUS.parents[1] / "docs" / "operations.md").read_text()
    tests = (PROMETHEUS / "alerts.test.yml").read_text()
    alerts = [
        rule
        for group in yaml.safe_load((PROMETHEUS / "storybot-alerts.yml").read_text())["groups"]
        for rule in group["rules"]
    ]
    assert len(alerts) == 11
    for rule in alerts:
        anchor = f"alert-{rule['alert'].lower()}"
        assert rule["annotations"]["runbook"] == f"docs/operations.md#{anchor}"
        # The link lands on the alert's own section of the runbook.
        section = re.search(rf'<a id="{anchor}"></a>\n### (\w+) \((\w+)\)', runbook)
        assert section, rule["alert"]
        assert section.groups() == (rule["alert"], rule["labels"]["severity"])
        assert f"alertname: {rule['alert']}" in tests, rule["alert"]
        assert rule["labels"]["severity"] in ("warning", "critical")
