"""Pure builders of the EMR requests a pipeline run makes: RunJobFlow (the cluster) and AddJobFlowSteps.

No Airflow, no AWS calls: tests validate the output against botocore's EMR input shapes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from bdp.platform import LocalPlatform, PlatformConfig

# The ETL's jobs (etl/bdp_etl/cli.py), in pipeline order. `generate` writes synthetic demo data;
# `maintenance` compacts the Iceberg tables and expires old snapshots once the day's data is checked.
DAILY_JOBS = ("bronze_to_silver", "silver_to_gold", "quality", "maintenance")
DEMO_JOBS = ("generate", *DAILY_JOBS)

# How long one EMR step may run before its sensor gives up and the teardown terminates the cluster.
STEP_TIMEOUT = timedelta(hours=4)

ENVIRONMENT_TAG = "bdp:environment"  # CDK's IAM policies condition RunJobFlow and later calls on it
RUN_ID_TAG = "bdp:airflow-run-id"  # finds a run's clusters again: a retried create reuses, the teardown ends all
MANAGED_POLICIES_TAG = "for-use-with-amazon-emr-managed-policies"  # the EMR v2 service policy needs it

SPOT = {
    "SpotSpecification": {
        "AllocationStrategy": "price-capacity-optimized",
        "TimeoutDurationMinutes": 10,
        "TimeoutAction": "SWITCH_TO_ON_DEMAND",  # no spot capacity within 10 min: start on demand
    }
}
ON_DEMAND = {"OnDemandSpecification": {"AllocationStrategy": "lowest-price"}}


# EMR 7 and EMR 8.1 (which also ships 3.13) both install Python 3.11 here; PySpark's default is older.
EMR_PYTHON = "/usr/bin/python3.11"


def build_job_flow(platform: PlatformConfig, run_date: str, run_id: str) -> dict[str, Any]:
    """The RunJobFlow request of one run: a transient Spark cluster that waits for steps."""
    spot_everywhere = platform.spot_everywhere
    fleets = [
        _fleet("primary", "MASTER", platform.primary_instance_types, 1, spot=spot_everywhere, weighted=False),
        _fleet("core", "CORE", platform.core_instance_types, platform.core_on_demand_units, spot=spot_everywhere),
    ]
    if platform.task_spot_units:
        fleets.append(_fleet("task", "TASK", platform.task_instance_types, platform.task_spot_units, spot=True))
    job_flow: dict[str, Any] = {
        "Name": f"{cluster_name_prefix(platform.environment)}{run_date}",
        "ReleaseLabel": platform.release_label,
        "Applications": [{"Name": "Spark"}],
        "LogUri": platform.log_uri,
        "LogEncryptionKmsKeyId": platform.log_encryption_key_arn,  # EMR's logs in S3, under the lake key
        "ServiceRole": platform.service_role,
        "JobFlowRole": platform.job_flow_role,
        "SecurityConfiguration": platform.security_configuration,
        "VisibleToAllUsers": True,
        "Instances": {
            "InstanceFleets": fleets,
            "Ec2SubnetIds": list(platform.subnet_ids),  # EMR picks the subnet (AZ) with capacity
            "EmrManagedMasterSecurityGroup": platform.primary_security_group,
            "EmrManagedSlaveSecurityGroup": platform.core_security_group,
            "ServiceAccessSecurityGroup": platform.service_access_security_group,
            "KeepJobFlowAliveWhenNoSteps": True,  # steps are added after creation; the teardown terminates
            "TerminationProtected": False,
        },
        # Safety net if the teardown never runs: EMR terminates the cluster once it idles this long.
        "AutoTerminationPolicy": {"IdleTimeout": platform.idle_timeout_seconds},
        "Configurations": [
            # PySpark's default interpreter is too old for the ETL package (3.10+).
            {
                "Classification": "spark-env",
                "Configurations": [
                    {
                        "Classification": "export",
                        "Properties": {"PYSPARK_PYTHON": EMR_PYTHON, "PYSPARK_DRIVER_PYTHON": EMR_PYTHON},
                    }
                ],
            },
            {"Classification": "iceberg-defaults", "Properties": {"iceberg.enabled": "true"}},
        ],
        "StepConcurrencyLevel": 1,  # steps run in order; CANCEL_AND_WAIT cancels the rest after a failure
        "Tags": cluster_tags(platform, run_date, run_id),
    }
    if platform.task_spot_units:
        job_flow["ManagedScalingPolicy"] = _managed_scaling(platform)
    return job_flow


def build_steps(
    platform: PlatformConfig, jobs: Sequence[str], run_date: str, generate_rows: int | None = None
) -> list[dict[str, Any]]:
    """The AddJobFlowSteps steps of one run, one spark-submit per ETL job, in order."""
    check_jobs(jobs)
    return [
        {
            "Name": step_name(job, run_date),
            "ActionOnFailure": "CANCEL_AND_WAIT",  # cancel later steps, keep the cluster for the teardown
            "HadoopJarStep": {
                "Jar": "command-runner.jar",
                "Args": _spark_submit(platform, job, run_date, generate_rows),
            },
        }
        for job in jobs
    ]


def check_jobs(jobs: Sequence[str]) -> None:
    unknown = [job for job in jobs if job not in DEMO_JOBS]
    if unknown:
        raise ValueError(f"unknown ETL jobs {unknown}; the ETL runs {list(DEMO_JOBS)}")


def job_arguments(
    platform: PlatformConfig | LocalPlatform, job: str, run_date: str, rows: int | None = None
) -> list[str]:
    """main.py's arguments for one job (etl/bdp_etl/cli.py): the same on EMR and on local Spark."""
    namespace, lookback = platform.catalog_namespace, platform.dedup_lookback_days
    return [
        job,
        "--date",
        run_date,
        "--lake",
        platform.lake_root,
        # Left out only by a local Variable without them: the ETL's defaults apply.
        *(["--namespace", namespace] if namespace is not None else []),
        *(["--lookback-days", str(lookback)] if lookback is not None else []),
        *(["--rows", str(rows)] if rows and job == "generate" else []),
    ]


def step_name(job: str, run_date: str) -> str:
    return f"{job} {run_date}"


def cluster_name_prefix(environment: str) -> str:
    return f"bdp-{environment}-"


def cluster_tags(platform: PlatformConfig, run_date: str, run_id: str) -> list[dict[str, str]]:
    tags = {
        **platform.tags,
        "bdp:run-date": run_date,
        RUN_ID_TAG: run_tag_value(run_id),
        ENVIRONMENT_TAG: platform.environment,
        MANAGED_POLICIES_TAG: "true",
    }
    return [{"Key": key, "Value": value} for key, value in tags.items()]


def instance_units(instance_type: str) -> int:
    """Fleet capacity units of an instance type: one per xlarge (4 vCPUs), so m5.2xlarge counts 2."""
    size = instance_type.rpartition(".")[2]
    multiple = size.removesuffix("xlarge")
    return int(multiple) if size.endswith("xlarge") and multiple.isdigit() else 1


def _fleet(
    name: str, role: str, instance_types: Sequence[str], units: int, *, spot: bool, weighted: bool = True
) -> dict[str, Any]:
    return {
        "Name": name,
        "InstanceFleetType": role,
        "TargetOnDemandCapacity": 0 if spot else units,
        "TargetSpotCapacity": units if spot else 0,
        "InstanceTypeConfigs": [
            {"InstanceType": instance_type, "WeightedCapacity": instance_units(instance_type) if weighted else 1}
            for instance_type in instance_types
        ],
        "LaunchSpecifications": {**ON_DEMAND, **SPOT} if spot else ON_DEMAND,
    }


def _managed_scaling(platform: PlatformConfig) -> dict[str, Any]:
    """Let EMR shrink the spot task fleet when idle and grow it back, never beyond the configured size."""
    core = platform.core_on_demand_units
    return {
        "ComputeLimits": {
            "UnitType": "InstanceFleetUnits",
            "MinimumCapacityUnits": core,
            "MaximumCapacityUnits": core + platform.task_spot_units,
            "MaximumOnDemandCapacityUnits": 0 if platform.spot_everywhere else core,
            "MaximumCoreCapacityUnits": core,
        }
    }


def _spark_submit(platform: PlatformConfig, job: str, run_date: str, rows: int | None) -> list[str]:
    return [
        "spark-submit",
        "--deploy-mode",
        "cluster",
        # A failed job fails its step at once instead of YARN re-running the driver.
        "--conf",
        "spark.yarn.maxAppAttempts=1",
        "--py-files",
        platform.etl_package,
        platform.etl_entry_point,
        *job_arguments(platform, job, run_date, rows),
    ]


def run_tag_value(value: str) -> str:
    """EMR tag values allow letters, digits, spaces and + - = . _ : / @, up to 256 characters."""
    return re.sub(r"[^\w +\-=.:/@]", "_", value)[:256]
