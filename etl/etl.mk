# Spark ETL (etl/README.md): lint and tests, the EMR package, a local pipeline, and the benchmark.
ETL_DIST := dist/etl
ETL_LAKE ?= .lake
ETL_DATE ?= $(shell date -u +%F)
ROWS ?= 200000
BENCH_ROWS ?= 5000000
# Extra spark-submit options, e.g. SPARK_CONF="--conf spark.sql.shuffle.partitions=8".
SPARK_CONF ?=

# Iceberg's Spark runtime, the one emr-spark-8.1.0 ships (Iceberg 1.11.0 for Spark 4.1, Scala 2.13),
# resolved from Maven Central into a git-ignored folder and checked against its pinned SHA-256.
ICEBERG_ARTIFACT := org.apache.iceberg:iceberg-spark-runtime-4.1_2.13:1.11.0
ICEBERG_SHA256 := d6ea6c5d099288daeb7d5a92061bd3d7d8f296492632b42378e5f2f0e3066242
ICEBERG_JAR := .jars/iceberg-spark-runtime-4.1_2.13-1.11.0.jar

# Local Spark: the venv's Python for PySpark, loopback only, sizing from etl/conf/spark-local.conf.
ETL_ENV = PYSPARK_PYTHON=$(abspath $(VENV_BIN))/python SPARK_LOCAL_IP=127.0.0.1 ICEBERG_JAR=$(abspath $(ICEBERG_JAR))
ETL_SPARK_SUBMIT = $(ETL_ENV) $(VENV_BIN)/spark-submit --properties-file etl/conf/spark-local.conf --jars $(ICEBERG_JAR) $(SPARK_CONF)
ETL_JOB = $(ETL_SPARK_SUBMIT) --py-files $(ETL_DIST)/bdp_etl.zip $(ETL_DIST)/main.py

.PHONY: etl-test etl-package pipeline bench-etl iceberg-jar

$(ICEBERG_JAR):
	mvn --batch-mode --quiet dependency:copy -Dartifact=$(ICEBERG_ARTIFACT) -DoutputDirectory=$(dir $@) -Dmdep.overWriteReleases=true
	echo "$(ICEBERG_SHA256)  $@" | sha256sum --check --quiet || { rm -f $@; exit 1; }

iceberg-jar: $(ICEBERG_JAR) ## Fetch the pinned Iceberg Spark runtime jar from Maven Central into .jars/

etl-test: $(VENV_STAMP) $(ICEBERG_JAR) ## Lint and test the Spark ETL (ruff, pytest on local Spark with Iceberg)
	$(VENV_BIN)/ruff check etl test/etl
	$(VENV_BIN)/ruff format --check etl test/etl
	$(ETL_ENV) $(VENV_BIN)/pytest

etl-package: $(VENV_STAMP) ## Build the EMR artefacts dist/etl/main.py and dist/etl/bdp_etl.zip
	$(VENV_BIN)/python etl/build_package.py $(ETL_DIST)

pipeline: etl-package $(ICEBERG_JAR) ## Run the ETL jobs on local Spark into .lake/ (ROWS=200000, ETL_DATE=today)
	$(ETL_JOB) generate --date $(ETL_DATE) --lake $(ETL_LAKE) --rows $(ROWS)
	$(ETL_JOB) bronze_to_silver --date $(ETL_DATE) --lake $(ETL_LAKE)
	$(ETL_JOB) silver_to_gold --date $(ETL_DATE) --lake $(ETL_LAKE)
	$(ETL_JOB) quality --date $(ETL_DATE) --lake $(ETL_LAKE)
	$(ETL_JOB) maintenance --date $(ETL_DATE) --lake $(ETL_LAKE)

bench-etl: $(VENV_STAMP) $(ICEBERG_JAR) ## Time bronze_to_silver and silver_to_gold on Spark against DuckDB (BENCH_ROWS=5000000)
	$(ETL_SPARK_SUBMIT) etl/bench_etl.py --rows $(BENCH_ROWS) --lake $(ETL_LAKE)/bench
