#!/usr/bin/env bash
# The platform on this machine: the real DAGs in Airflow 3.3.1 (.venv-airflow), their Spark steps as
# spark-submit of the ETL package (.venv's PySpark) against a local lake. No AWS, no Docker.
#
#   scripts/local-airflow.sh serve        Airflow standalone: UI on 127.0.0.1:$PORT until Ctrl-C (make local)
#   scripts/local-airflow.sh run DAG      one run of DAG, headless; exit 0 only if it succeeded (make local-run)
#
# Called by dags/dags.mk, which builds what it needs first and sets: LOCAL_HOME (state, default
# .local-airflow), LAKE (default .lake), ICEBERG_JAR, ETL_DIST, SPARK_PROPERTIES, PORT, ROWS, RUN_DATE.
# LOCAL_PASSWORD sets the UI password of user admin; otherwise one is generated once and kept.
set -euo pipefail

cd "$(dirname "$0")/.."
repo=$(pwd)
usage() { echo "usage: $0 serve | run DAG" >&2; exit 2; }
[ $# -ge 1 ] || usage
command=$1

: "${LOCAL_HOME:=.local-airflow}" "${LAKE:=.lake}" "${PORT:=8080}" "${ROWS:=200000}"
: "${RUN_DATE:=$(date -u +%F)}" "${ETL_DIST:=dist/etl}" "${SPARK_PROPERTIES:=etl/conf/spark-local.conf}"
: "${ICEBERG_JAR:?set ICEBERG_JAR (make local does)}"
absolute() { realpath -m -- "$1"; }
for file in "$ETL_DIST/main.py" "$ETL_DIST/bdp_etl.zip" "$SPARK_PROPERTIES" "$ICEBERG_JAR"; do
  [ -f "$file" ] || { echo "$file is missing: run this through make local / make local-run, which build it" >&2; exit 2; }
done

mkdir -p "$LOCAL_HOME/airflow" "$LAKE"
export AIRFLOW_HOME
AIRFLOW_HOME=$(absolute "$LOCAL_HOME/airflow")
export AIRFLOW__CORE__DAGS_FOLDER="$repo/dags"
export AIRFLOW__CORE__LOAD_EXAMPLES=False
export AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS=admin:admin
export AIRFLOW__API__HOST=127.0.0.1 AIRFLOW__API__PORT="$PORT" AIRFLOW__API__BASE_URL="http://127.0.0.1:$PORT"
# The local Variable (dags/bdp/platform.py, LocalPlatform): what MWAA reads from Secrets Manager.
AIRFLOW_VAR_BDP_PLATFORM=$(python3 -c 'import json, sys; print(json.dumps({
    "environment": "local", "runtime": "local", "lake_root": sys.argv[1], "etl_entry_point": sys.argv[2],
    "etl_package": sys.argv[3], "spark_properties_file": sys.argv[4], "spark_jars": [sys.argv[5]]}))' \
  "$(absolute "$LAKE")" "$(absolute "$ETL_DIST/main.py")" "$(absolute "$ETL_DIST/bdp_etl.zip")" \
  "$(absolute "$SPARK_PROPERTIES")" "$(absolute "$ICEBERG_JAR")")
export AIRFLOW_VAR_BDP_PLATFORM
# The Spark provider's connection: a JSON one (the URI form `spark://local[2]` falls back to YARN).
export AIRFLOW_CONN_SPARK_DEFAULT='{"conn_type": "spark", "host": "local[2]"}'
# spark-submit and PySpark's Python from .venv (PySpark 4.1.1, as EMR 8.1), bound to loopback as make pipeline
# does; `airflow` from .venv-airflow, which standalone starts its components with.
export PATH="$repo/.venv/bin:$repo/.venv-airflow/bin:$PATH" PYSPARK_PYTHON="$repo/.venv/bin/python" SPARK_LOCAL_IP=127.0.0.1
airflow=("$repo/.venv-airflow/bin/airflow")

case $command in
serve)
  # SimpleAuthManager keeps passwords in this file; writing it first sets the login.
  passwords="$AIRFLOW_HOME/simple_auth_manager_passwords.json.generated"
  if [ -n "${LOCAL_PASSWORD:-}" ] || [ ! -s "$passwords" ]; then
    password=${LOCAL_PASSWORD:-$(python3 -c 'import secrets; print(secrets.token_urlsafe(12))')}
    (umask 077 && python3 -c 'import json, sys; print(json.dumps({"admin": sys.argv[1]}))' "$password" > "$passwords")
  fi
  password=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["admin"])' "$passwords")
  # Its own session and process group, so a stop ends every component and the tasks they started.
  setsid "${airflow[@]}" standalone &
  pid=$!
  stop() {
    trap - INT TERM EXIT
    echo "Stopping Airflow (process group $pid)"
    kill -INT "$pid" 2> /dev/null || true # standalone stops its components on SIGINT
    for _ in $(seq 30); do kill -0 "$pid" 2> /dev/null || break; sleep 1; done
    kill -TERM -- "-$pid" 2> /dev/null || true
    sleep 2
    kill -KILL -- "-$pid" 2> /dev/null || true
    wait "$pid" 2> /dev/null || true
  }
  trap stop INT TERM EXIT
  health="http://127.0.0.1:$PORT/api/v2/monitor/health"
  until curl -fsS "$health" > /dev/null 2>&1; do
    kill -0 "$pid" 2> /dev/null || { echo "Airflow standalone exited" >&2; exit 1; }
    sleep 2
  done
  cat << EOF

  Airflow UI:  http://127.0.0.1:$PORT   (health: $health)
  Login:       admin / $password
  DAGs from:   $repo/dags, runtime local, lake $(absolute "$LAKE")
  State:       $(absolute "$LOCAL_HOME")    Stop: Ctrl-C

EOF
  wait "$pid"
  ;;
run)
  [ $# -eq 2 ] || usage
  dag=$2
  "${airflow[@]}" db migrate > "$LOCAL_HOME/db-migrate.log" 2>&1 || { cat "$LOCAL_HOME/db-migrate.log" >&2; exit 1; }
  status=0
  "${airflow[@]}" dags test "$dag" "$RUN_DATE" --conf "{\"rows\": $ROWS}" || status=$?
  # The run `dags test` just made: the newest run of this DAG for this logical date. (Warnings share
  # stdout with the JSON, which is one line.)
  run_id=$("${airflow[@]}" dags list-runs "$dag" -o json 2> /dev/null | python3 -c '
import json, sys
[listing] = [line for line in sys.stdin if line.startswith("[")]
runs = [run for run in json.loads(listing) if (run.get("logical_date") or "").startswith(sys.argv[1])]
print(max(runs, key=lambda run: run.get("start_date") or "")["run_id"] if runs else "")' "$RUN_DATE")
  echo
  if [ -n "$run_id" ]; then
    echo "Task states of $dag, run $run_id:"
    "${airflow[@]}" tasks states-for-dag-run "$dag" "$run_id" -o table 2> /dev/null
  else
    echo "No run of $dag for $RUN_DATE was recorded" >&2
  fi
  [ "$status" -eq 0 ] && echo "$dag: success" || echo "$dag: FAILED (airflow dags test exited $status)" >&2
  exit "$status"
  ;;
*) usage ;;
esac
