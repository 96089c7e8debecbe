# Airflow DAGs (issue 5): lint and test them with the Airflow and Amazon provider versions MWAA runs.
# Included by the root Makefile; paths are relative to the repository root.
DAGS_RUFF := $(AIRFLOW_VENV)/bin/ruff
DAGS_RUFF_CONFIG := --config dags/ruff.toml

.PHONY: dags-test
dags-test: $(AIRFLOW_VENV_STAMP) $(VENV_STAMP) $(ICEBERG_JAR) ## DAGs: ruff (lint + format) and pytest on Airflow 3.3.1 + moto
	$(DAGS_RUFF) check $(DAGS_RUFF_CONFIG) dags test/dags
	$(DAGS_RUFF) format $(DAGS_RUFF_CONFIG) --check dags test/dags
	$(AIRFLOW_VENV)/bin/python -m pytest test/dags

# ---------------------------------------------------------------- the platform on this machine
# The same DAGs in Airflow standalone, their steps as local spark-submit (scripts/local-airflow.sh,
# docs/orchestration.md). State (metadata DB, logs, login) stays in LOCAL_HOME, which is git-ignored.
LOCAL_HOME ?= .local-airflow
PORT ?= 8080
DAG ?= bdp_demo_pipeline
LOCAL_DEPS := $(AIRFLOW_VENV_STAMP) $(VENV_STAMP) $(ICEBERG_JAR) etl-package
LOCAL_AIRFLOW = LOCAL_HOME=$(LOCAL_HOME) LAKE=$(ETL_LAKE) PORT=$(PORT) ROWS=$(ROWS) RUN_DATE=$(ETL_DATE) \
	ETL_DIST=$(ETL_DIST) ICEBERG_JAR=$(ICEBERG_JAR) SPARK_PROPERTIES=etl/conf/spark-local.conf scripts/local-airflow.sh

.PHONY: local local-run
local: $(LOCAL_DEPS) ## Airflow 3.3.1 standalone with the DAGs on local Spark: UI on 127.0.0.1:PORT (8080), Ctrl-C stops it
	$(LOCAL_AIRFLOW) serve

local-run: $(LOCAL_DEPS) ## One DAG run, headless, on local Spark (DAG=bdp_demo_pipeline ROWS=200000); prints each task's state
	$(LOCAL_AIRFLOW) run $(DAG)
