# Look at it (issue 15): the gold report page, and headless-Chromium tests of it and of the local
# Airflow UI. Included by the root Makefile; paths are relative to the repository root.
REPORT_DIR ?= .report
REPORT_PAGE = $(REPORT_DIR)/index.html
# Debian's chromium by default; any Chromium-based browser works (GitHub's Ubuntu runners: CHROMIUM=/usr/bin/google-chrome).
CHROMIUM ?= /usr/bin/chromium
# The browser tests' own state (git-ignored): one `make local-run` of the demo DAG fills a small lake
# and leaves a finished run in its Airflow, the report is rendered from that lake, then the tests
# open both. SCREENSHOT_DIR=docs/img refreshes the README's screenshots.
BROWSER_DIR := .report/browser-test
BROWSER_ROWS ?= 2000
BROWSER_PORT ?= 8089
SCREENSHOT_DIR ?= $(BROWSER_DIR)/screenshots
BROWSER_AIRFLOW = LOCAL_HOME=$(BROWSER_DIR)/airflow ETL_LAKE=$(BROWSER_DIR)/lake PORT=$(BROWSER_PORT)

.PHONY: report report-test browser browser-test

report: $(VENV_STAMP) ## Render the local lake's gold tables and quality results as one HTML page (ETL_LAKE=.lake) into .report/index.html
	PYTHONPATH=etl:report $(VENV_BIN)/python -m bdp_report --lake $(ETL_LAKE) --out $(REPORT_PAGE)

report-test: $(VENV_STAMP) $(ICEBERG_JAR) ## Lint the report and check its charts against the gold tables (pytest on local Spark)
	$(VENV_BIN)/ruff check report test/report
	$(VENV_BIN)/ruff format --check report test/report
	$(ETL_ENV) PYTHONPATH=report $(VENV_BIN)/pytest test/report

# Debian's chromium, from the Debian registry; CI runs as root on a fresh machine.
$(CHROMIUM):
	@[ "$$(id -u)" = 0 ] || { echo "$(CHROMIUM) is missing: run 'make browser' as root (apt-get install chromium)" >&2; exit 1; }
	apt-get update
	apt-get install -y --no-install-recommends chromium

browser: $(CHROMIUM) ## Install Debian's chromium for the headless-browser tests (as root; only when /usr/bin/chromium is missing)

browser-test: $(NODE_STAMP) $(VENV_STAMP) $(AIRFLOW_VENV_STAMP) $(ICEBERG_JAR) $(CHROMIUM) ## Headless Chromium: the report page draws its charts; the local Airflow UI lists the DAGs with a green run
	rm -rf $(BROWSER_DIR) && mkdir -p $(BROWSER_DIR)
	$(MAKE) --no-print-directory local-run DAG=bdp_demo_pipeline ROWS=$(BROWSER_ROWS) $(BROWSER_AIRFLOW) > $(BROWSER_DIR)/local-run.log 2>&1 \
		|| { tail -60 $(BROWSER_DIR)/local-run.log >&2; exit 1; }
	$(MAKE) --no-print-directory report ETL_LAKE=$(BROWSER_DIR)/lake REPORT_DIR=$(BROWSER_DIR)
	CHROMIUM=$(CHROMIUM) REPORT_PAGE=$(abspath $(BROWSER_DIR))/index.html SCREENSHOT_DIR=$(abspath $(SCREENSHOT_DIR)) \
		AIRFLOW_LOCAL="$(BROWSER_AIRFLOW)" AIRFLOW_URL=http://127.0.0.1:$(BROWSER_PORT) AIRFLOW_LOG=$(abspath $(BROWSER_DIR))/make-local.log \
		npx --no-install jest --ci --config test/browser/jest.config.js
