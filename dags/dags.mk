# Airflow DAGs (issue 5): lint and test them with the Airflow and Amazon provider versions MWAA runs.
# Included by the root Makefile; paths are relative to the repository root.
DAGS_RUFF := $(AIRFLOW_VENV)/bin/ruff
DAGS_RUFF_CONFIG := --config dags/ruff.toml

.PHONY: dags-test
dags-test: $(AIRFLOW_VENV_STAMP) ## DAGs: ruff (lint + format) and pytest on Airflow 3.3.1 + moto
	$(DAGS_RUFF) check $(DAGS_RUFF_CONFIG) dags test/dags
	$(DAGS_RUFF) format $(DAGS_RUFF_CONFIG) --check dags test/dags
	$(AIRFLOW_VENV)/bin/python -m pytest test/dags
