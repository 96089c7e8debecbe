import { CfnOutput, RemovalPolicy } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { AirflowEnvironment } from '../../constructs/airflow-environment';
import { EmrRuntime } from '../../constructs/emr-runtime';
import { CLUSTER_ENVIRONMENT_TAG, DAGS_PREFIX, EMR_TLS_CERTIFICATES_KEY, REQUIREMENTS_KEY, ResourceNames } from '../naming';
import { PLATFORM_VARIABLE, platformVariable } from '../platform-variable';
import { PlatformStack, PlatformStackProps } from '../platform-stack';
import type { LakeStack } from './lake-stack';
import type { NetworkStack } from './network-stack';

export interface OrchestrationStackProps extends PlatformStackProps {
  readonly network: NetworkStack;
  readonly lake: LakeStack;
}

/** The batch layer: private MWAA whose DAGs run the ETL on transient EMR clusters. */
export class OrchestrationStack extends PlatformStack {
  readonly emr: EmrRuntime;
  readonly airflow: AirflowEnvironment;

  constructor(scope: Construct, id: string, props: OrchestrationStackProps) {
    super(scope, id, props);
    const { config } = this;
    const names = new ResourceNames(config);
    const { vpc, privateSubnets } = props.network.network;
    const storage = props.lake.storage;

    this.emr = new EmrRuntime(this, 'Emr', { vpc, subnets: privateSubnets, lake: storage, namePrefix: names.prefix, inTransitCertificatesKey: EMR_TLS_CERTIFICATES_KEY,
      icebergDatabases: [names.glueDatabase('silver'), names.glueDatabase('gold')],
    });

    this.airflow = new AirflowEnvironment(this, 'Airflow', {
      name: names.mwaaEnvironment,
      ...config.mwaa,
      vpc,
      subnets: privateSubnets.slice(0, 2),
      vpnSecurityGroup: props.network.clientVpn?.securityGroup,
      lake: storage,
      emr: this.emr,
      clusterTag: { key: CLUSTER_ENVIRONMENT_TAG, value: config.name },
      alertsTopicArn: names.alertsTopicArn,
      alertsKeyAlias: names.alertsKeyAlias,
      logRemovalPolicy: config.lake.removalPolicy === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
      dagsPrefix: DAGS_PREFIX,
      requirementsKey: REQUIREMENTS_KEY,
      variables: { [PLATFORM_VARIABLE]: platformVariable({ config, names, subnets: privateSubnets, emr: this.emr }) },
    });

    new CfnOutput(this, 'MwaaEnvironmentName', { value: this.airflow.environment.ref });
    new CfnOutput(this, 'MwaaWebserverUrl', { value: this.airflow.environment.attrWebserverUrl, description: 'Reachable over the Client VPN' });
    new CfnOutput(this, 'EmrServiceRoleName', { value: this.emr.serviceRole.roleName });
    new CfnOutput(this, 'EmrInstanceProfileName', { value: this.emr.instanceProfile.instanceProfileName });
  }
}
