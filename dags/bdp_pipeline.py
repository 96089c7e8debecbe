"""The batch layer: the ETL's Spark jobs on a transient EMR cluster, one cluster per run, or on this machine.

Two DAGs share one definition, so each has a fixed list of steps and every step is watched:

* `bdp_daily_pipeline`, at 01:00 UTC: bronze_to_silver, silver_to_gold, quality and maintenance for the
  previous UTC day (the hour lets Firehose flush its last buffers into that day's bronze partition).
* `bdp_demo_pipeline`, triggered by hand: generate synthetic data for the run's date, then the same steps.

A run: plan it from the `bdp_platform` Variable, create the cluster (once, even when retried), add the
steps, watch each step, and terminate the run's clusters as a teardown, so they die whether the steps
pass or fail. The run fails if a step fails or if the termination fails.

The Variable's `runtime` picks the path at run time: `emr` as above, or `local` (`make local`), where
each step is a spark-submit of the same ETL package against a local lake (`spark_<job>`), the cluster
tasks are skipped, and the teardown runs with no cluster to end. See docs/orchestration.md.
"""

from __future__ import annotations

from datetime import timedelta

from airflow.providers.amazon.aws.operators.emr import EmrAddStepsOperator
from airflow.providers.amazon.aws.sensors.emr import EmrStepSensor
from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.sdk import DAG, CronDataIntervalTimetable, Param, TriggerRule, chain, task

from bdp import emr_config, local_spark, platform
from bdp.dag_defaults import AWS, DEFAULT_ARGS, START_DATE, TAGS
from bdp.run_clusters import CreateRunClusterOperator, TerminateRunClustersOperator

DAILY_SCHEDULE = CronDataIntervalTimetable("0 1 * * *", timezone="UTC")  # `ds`: the day before the run
DEMO_PARAMS = {
    "rows": Param(1_000_000, type="integer", minimum=1, description="Synthetic users and events to generate"),
}
POKE_INTERVAL = timedelta(minutes=1)
STEP_WATCH = {
    "poke_interval": POKE_INTERVAL.total_seconds(),
    # The step's budget: max_attempts * poke_interval when deferred, `timeout` when poking.
    "max_attempts": int(emr_config.STEP_TIMEOUT / POKE_INTERVAL),
    "timeout": emr_config.STEP_TIMEOUT,
    # A step's FAILED state is final, and a retry would restart the budget; botocore already
    # retries transient API errors.
    "retries": 0,
}


def pipeline_dag(
    dag_id: str, *, jobs: tuple[str, ...], schedule, doc_md: str, params=None, deferrable: bool = True
) -> DAG:
    """One run: create a cluster, run `jobs` as steps, watch each, terminate the run's clusters.

    Or, when the Variable says `runtime: local`, run each job as a local spark-submit instead.

    `deferrable=False` exists for the tests only: moto's in-process mock does not intercept the
    aiobotocore calls that deferred sensors make from the triggerer.
    """
    # No dagrun_timeout: a timed-out run skips its teardown. Sensors time out instead.
    with DAG(
        dag_id=dag_id,
        schedule=schedule,
        start_date=START_DATE,
        catchup=False,
        max_active_runs=1,
        default_args=DEFAULT_ARGS,
        params=params or {},
        tags=[*TAGS, "emr"],
        doc_md=doc_md,
    ) as dag:

        @task(multiple_outputs=True)
        def plan_run(ds=None, run_id=None, params=None, dag_run=None) -> dict:
            """Read the platform Variable (at run time) and build this run's RunJobFlow and steps,
            or the arguments of each local spark-submit."""
            config = platform.load()
            # A run triggered without a logical date (allowed in Airflow 3) processes its trigger day.
            run_date = ds or dag_run.run_after.date().isoformat()
            rows = params.get("rows")
            if config.runtime == platform.LOCAL:
                emr_config.check_jobs(jobs)
                args = {job: emr_config.job_arguments(config, job, run_date, rows) for job in jobs}
                return {"runtime": config.runtime, **{local_spark.task_id(job): args[job] for job in jobs}}
            return {
                "runtime": config.runtime,
                "job_flow": emr_config.build_job_flow(config, run_date, run_id),
                "steps": emr_config.build_steps(config, jobs, run_date, generate_rows=rows),
            }

        @task.branch
        def choose_runtime(runtime: str) -> str:
            """Where the steps run; the other path's tasks are skipped."""
            return local_spark.task_id(jobs[0]) if runtime == platform.LOCAL else "create_cluster"

        plan = plan_run()
        runtime = choose_runtime(plan["runtime"])
        # emr_conn_id=None: the seeded `emr_default` connection would merge a stale config into ours.
        create_cluster = CreateRunClusterOperator(
            task_id="create_cluster", emr_conn_id=None, job_flow_overrides=plan["job_flow"], **AWS
        )
        # No retries: AddJobFlowSteps is not idempotent, a retry after a lost reply would queue steps twice.
        add_steps = EmrAddStepsOperator(
            task_id="add_steps", job_flow_id=create_cluster.output, steps=plan["steps"], retries=0, **AWS
        )
        watch_steps = [
            EmrStepSensor(
                task_id=f"watch_{job}",
                job_flow_id=create_cluster.output,
                step_id=f"{{{{ ti.xcom_pull(task_ids='{add_steps.task_id}')[{index}] }}}}",
                deferrable=deferrable,
                **STEP_WATCH,
                **AWS,
            )
            for index, job in enumerate(jobs)
        ]
        # Finds the clusters by the run's tags, not by create_cluster's XCom: it also ends a duplicate,
        # and a cluster started by a create_cluster try that failed afterwards.
        terminate_cluster = TerminateRunClustersOperator(
            task_id="terminate_cluster", environment="{{ var.json.bdp_platform.environment }}", **AWS
        ).as_teardown(setups=create_cluster, on_failure_fail_dagrun=True)
        # A teardown normally runs only if its setup succeeded; this one must run after a failed create too.
        terminate_cluster.trigger_rule = TriggerRule.ALL_DONE
        local_steps = [local_spark.spark_step(job, plan[local_spark.task_id(job)]) for job in jobs]
        # Airflow 3.3 judges a run by its leaves, ignoring teardowns unless on_failure_fail_dagrun. With it,
        # the teardown would hide the steps from that judgement, so this leaf carries their outcome: that
        # of the path taken (the other one is skipped), failed if any step failed.
        steps_succeeded = EmptyOperator(task_id="steps_succeeded", trigger_rule=TriggerRule.NONE_FAILED_MIN_ONE_SUCCESS)

        chain(plan, runtime, create_cluster, add_steps, *watch_steps, [terminate_cluster, steps_succeeded])
        chain(runtime, *local_steps, [terminate_cluster, steps_succeeded])
    return dag


daily = pipeline_dag(
    "bdp_daily_pipeline",
    jobs=emr_config.DAILY_JOBS,
    schedule=DAILY_SCHEDULE,
    doc_md="Daily at 01:00 UTC: bronze → silver → gold and the quality checks for `ds`, the previous UTC day, "
    "on a transient EMR cluster. See docs/orchestration.md.",
)
demo = pipeline_dag(
    "bdp_demo_pipeline",
    jobs=emr_config.DEMO_JOBS,
    schedule=None,
    params=DEMO_PARAMS,
    doc_md="Manual demo: generate `rows` synthetic users and events for the run's date, then run the daily "
    "steps on them. See docs/orchestration.md.",
)
