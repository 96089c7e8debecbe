"""dags/requirements.txt: MWAA installs it offline and it never changes Airflow's or the provider's version."""

from __future__ import annotations

import re
import subprocess
import sys

from dag_test_support import DAGS, REPO

MWAA_DAGS = "/usr/local/airflow/dags/"


def lines(path) -> list[str]:
    return [line.strip() for line in path.read_text().splitlines() if line.strip() and not line.startswith("#")]


def pins(path) -> dict[str, str]:
    return dict(re.fullmatch(r"([\w.-]+)==(\S+)", line).groups() for line in lines(path) if "==" in line)


def test_requirements_carry_a_constraint_shipped_in_the_dags_folder_and_no_index():
    options = lines(DAGS / "requirements.txt")
    constraints = [re.fullmatch(r'--constraint "?([^"]+)"?', line) for line in options]

    assert len([match for match in constraints if match]) == 1
    path = next(match.group(1) for match in constraints if match)
    assert path.startswith(MWAA_DAGS)
    assert (DAGS / path.removeprefix(MWAA_DAGS)).is_file()
    assert not [line for line in options if re.search(r"--(extra-)?index-url|--find-links|://|@ ", line)]


def test_constraints_pin_what_the_tests_run():
    constraints = pins(DAGS / "constraints.txt")
    locked = pins(REPO / "requirements-airflow.txt")

    assert {"apache-airflow", "apache-airflow-providers-amazon", "apache-airflow-task-sdk"} <= constraints.keys()
    assert {name: locked.get(name) for name in constraints} == constraints


def test_the_requirements_install_without_an_index(tmp_path):
    """In an Airflow 3.3.1 + provider 9.34.0 environment (this venv), pip needs nothing from the network."""
    requirements = tmp_path / "requirements.txt"
    requirements.write_text((DAGS / "requirements.txt").read_text().replace(MWAA_DAGS, f"{DAGS}/"))

    result = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--dry-run", "--no-index", "--no-cache-dir", "-r", requirements],
        capture_output=True,
        text=True,
    )

    assert result.returncode == 0, result.stderr
    assert "Would install" not in result.stdout
