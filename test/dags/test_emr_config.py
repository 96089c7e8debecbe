"""The RunJobFlow and AddJobFlowSteps requests: valid for botocore's EMR model, and what the platform intends."""

from __future__ import annotations

import copy

import pytest

from bdp.emr_config import DAILY_JOBS, DEMO_JOBS, build_job_flow, build_steps, instance_units
from bdp.platform import PlatformConfig
from dag_test_support import platform_json
from emr_shapes import enum_values, input_shape, validation_errors

RUN_DATE = "2026-11-21"
RUN_ID = "scheduled__2026-11-21T01:00:00+00:00"


@pytest.fixture
def platform(platform_document) -> PlatformConfig:
    return PlatformConfig.from_json(platform_document)


def fleets(job_flow: dict) -> dict[str, dict]:
    return {fleet["InstanceFleetType"]: fleet for fleet in job_flow["Instances"]["InstanceFleets"]}


def test_job_flow_is_a_valid_run_job_flow_request(platform):
    job_flow = build_job_flow(platform, RUN_DATE, RUN_ID)

    assert validation_errors("RunJobFlow", job_flow) == []
    checked = {path.rsplit(".", 1)[-1] for path, _, _ in enum_values(input_shape("RunJobFlow"), job_flow)}
    assert {"InstanceFleetType", "AllocationStrategy"} <= checked  # the enum walk reached the fleets


def test_steps_are_a_valid_add_job_flow_steps_request(platform):
    request = {"JobFlowId": "j-1", "Steps": build_steps(platform, DEMO_JOBS, RUN_DATE, generate_rows=1000)}

    assert validation_errors("AddJobFlowSteps", request) == []
    assert [value for _, value, _ in enum_values(input_shape("AddJobFlowSteps"), request)] == ["CANCEL_AND_WAIT"] * len(
        DEMO_JOBS
    )


@pytest.mark.parametrize(
    ("path", "bad_value", "finding"),
    [
        (("Instances", "InstanceFleets", 0, "InstanceFleetType"), "PRIMARY", "not in"),  # enum: only the walk sees it
        (("Instances", "InstanceFleets", 0, "TargetOnDemandCapacity"), "1", "Invalid type"),
        (("AutoTerminationPolicy", "IdleTimout"), 3600, "Unknown parameter"),
    ],
)
def test_validation_catches_typos_types_and_enum_values(platform, path, bad_value, finding):
    job_flow = copy.deepcopy(build_job_flow(platform, RUN_DATE, RUN_ID))
    target = job_flow
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = bad_value

    assert any(finding in error for error in validation_errors("RunJobFlow", job_flow))


def test_cluster_is_transient_logged_secured_and_self_terminating(platform):
    job_flow = build_job_flow(platform, RUN_DATE, RUN_ID)
    instances = job_flow["Instances"]

    assert job_flow["Name"] == f"bdp-{platform.environment}-{RUN_DATE}"
    assert job_flow["ReleaseLabel"] == platform.release_label
    assert job_flow["Applications"] == [{"Name": "Spark"}]
    assert job_flow["LogUri"] == platform.log_uri
    assert job_flow["LogEncryptionKmsKeyId"] == platform.log_encryption_key_arn
    assert job_flow["SecurityConfiguration"] == platform.security_configuration
    assert (job_flow["ServiceRole"], job_flow["JobFlowRole"]) == (platform.service_role, platform.job_flow_role)
    assert job_flow["AutoTerminationPolicy"] == {"IdleTimeout": platform.idle_timeout_seconds}
    assert job_flow["VisibleToAllUsers"] is True
    assert instances["KeepJobFlowAliveWhenNoSteps"] is True
    assert instances["Ec2SubnetIds"] == list(platform.subnet_ids)
    assert (
        instances["EmrManagedMasterSecurityGroup"],
        instances["EmrManagedSlaveSecurityGroup"],
        instances["ServiceAccessSecurityGroup"],
    ) == (platform.primary_security_group, platform.core_security_group, platform.service_access_security_group)


def test_cluster_carries_the_tags_iam_conditions_on(platform):
    tags = {tag["Key"]: tag["Value"] for tag in build_job_flow(platform, RUN_DATE, RUN_ID)["Tags"]}

    assert tags["bdp:environment"] == platform.environment
    assert tags["for-use-with-amazon-emr-managed-policies"] == "true"
    assert tags["bdp:run-date"] == RUN_DATE
    assert tags["bdp:airflow-run-id"] == RUN_ID
    assert dict(platform.tags).items() <= tags.items()


def test_every_fleet_uses_price_capacity_optimized_spot_that_falls_back_to_on_demand(platform):
    for fleet in fleets(build_job_flow(platform, RUN_DATE, RUN_ID)).values():
        spot = fleet["LaunchSpecifications"].get("SpotSpecification")
        if fleet["TargetSpotCapacity"]:
            assert spot["AllocationStrategy"] == "price-capacity-optimized"
            assert spot["TimeoutAction"] == "SWITCH_TO_ON_DEMAND"
            assert 5 <= spot["TimeoutDurationMinutes"] <= 15
        else:
            assert spot is None


def test_dev_runs_everything_on_spot_without_a_task_fleet():
    job_flow = build_job_flow(PlatformConfig.from_json(platform_json("dev")), RUN_DATE, RUN_ID)
    by_role = fleets(job_flow)

    assert set(by_role) == {"MASTER", "CORE"}
    assert (by_role["MASTER"]["TargetOnDemandCapacity"], by_role["MASTER"]["TargetSpotCapacity"]) == (0, 1)
    assert (by_role["CORE"]["TargetOnDemandCapacity"], by_role["CORE"]["TargetSpotCapacity"]) == (0, 1)
    assert "ManagedScalingPolicy" not in job_flow


def test_prod_runs_primary_and_core_on_demand_and_tasks_on_spot():
    platform = PlatformConfig.from_json(platform_json("prod"))
    job_flow = build_job_flow(platform, RUN_DATE, RUN_ID)
    by_role = fleets(job_flow)

    assert (by_role["MASTER"]["TargetOnDemandCapacity"], by_role["MASTER"]["TargetSpotCapacity"]) == (1, 0)
    assert (by_role["CORE"]["TargetOnDemandCapacity"], by_role["CORE"]["TargetSpotCapacity"]) == (2, 0)
    assert (by_role["TASK"]["TargetOnDemandCapacity"], by_role["TASK"]["TargetSpotCapacity"]) == (0, 4)
    task_types = [config["InstanceType"] for config in by_role["TASK"]["InstanceTypeConfigs"]]
    assert task_types == list(platform.task_instance_types)
    assert len(task_types) >= 5
    assert job_flow["ManagedScalingPolicy"]["ComputeLimits"] == {
        "UnitType": "InstanceFleetUnits",
        "MinimumCapacityUnits": 2,
        "MaximumCapacityUnits": 6,
        "MaximumOnDemandCapacityUnits": 2,
        "MaximumCoreCapacityUnits": 2,
    }


def test_primary_counts_instances_and_other_fleets_weigh_by_size(platform):
    by_role = fleets(build_job_flow(platform, RUN_DATE, RUN_ID))

    assert {config["WeightedCapacity"] for config in by_role["MASTER"]["InstanceTypeConfigs"]} == {1}
    for config in by_role["CORE"]["InstanceTypeConfigs"]:
        assert config["WeightedCapacity"] == instance_units(config["InstanceType"])


@pytest.mark.parametrize(
    ("instance_type", "units"), [("m5.large", 1), ("m6g.xlarge", 1), ("m5.2xlarge", 2), ("r6i.16xlarge", 16)]
)
def test_instance_units_count_xlarge_equivalents(instance_type, units):
    assert instance_units(instance_type) == units


def test_steps_run_the_etl_entry_point_for_the_run_date(platform):
    steps = build_steps(platform, DAILY_JOBS, RUN_DATE)

    assert [step["Name"] for step in steps] == [f"{job} {RUN_DATE}" for job in DAILY_JOBS]
    assert {step["ActionOnFailure"] for step in steps} == {"CANCEL_AND_WAIT"}
    assert steps[0]["HadoopJarStep"] == {
        "Jar": "command-runner.jar",
        "Args": [
            "spark-submit",
            "--deploy-mode",
            "cluster",
            "--conf",
            "spark.yarn.maxAppAttempts=1",
            "--py-files",
            platform.etl_package,
            platform.etl_entry_point,
            "bronze_to_silver",
            "--date",
            RUN_DATE,
            "--lake",
            platform.lake_root,
            "--namespace",
            platform.catalog_namespace,
            "--lookback-days",
            str(platform.dedup_lookback_days),
        ],
    }


def test_only_the_generate_step_gets_rows(platform):
    steps = build_steps(platform, DEMO_JOBS, RUN_DATE, generate_rows=2500)

    assert [step["HadoopJarStep"]["Args"][-2:] == ["--rows", "2500"] for step in steps] == [
        job == "generate" for job in DEMO_JOBS
    ]


def test_unknown_jobs_are_refused(platform):
    with pytest.raises(ValueError, match="bronze_to_gold"):
        build_steps(platform, ["bronze_to_gold"], RUN_DATE)


def test_pyspark_runs_on_the_python_the_etl_package_needs(platform):
    job_flow = build_job_flow(platform, RUN_DATE, "manual__1")
    exports = [
        export["Properties"]
        for configuration in job_flow["Configurations"]
        if configuration["Classification"] == "spark-env"
        for export in configuration["Configurations"]
        if export["Classification"] == "export"
    ]
    assert exports == [{"PYSPARK_PYTHON": "/usr/bin/python3.11", "PYSPARK_DRIVER_PYTHON": "/usr/bin/python3.11"}]


def test_clusters_run_iceberg(platform):
    configurations = build_job_flow(platform, RUN_DATE, RUN_ID)["Configurations"]

    assert {"Classification": "iceberg-defaults", "Properties": {"iceberg.enabled": "true"}} in configurations


def test_the_daily_jobs_end_with_table_maintenance_after_the_quality_checks():
    assert DAILY_JOBS[-2:] == ("quality", "maintenance")
    assert ("generate", *DAILY_JOBS) == DEMO_JOBS
