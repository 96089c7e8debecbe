import { Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import type { InterfaceEndpointService, PlatformNetworkProps } from './platform-network-props';

export const PRIVATE_SUBNET_GROUP = 'private';
export const PUBLIC_SUBNET_GROUP = 'public';

/**
 * A multi-AZ VPC for the platform: public subnets that hold only NAT gateways, private subnets
 * for MWAA, EMR and the VPN, all traffic logged, the default security group closed, free gateway
 * endpoints for S3 and DynamoDB, and the chosen interface endpoints with private DNS on, so SDK
 * calls to those services resolve to the endpoints and never leave the VPC.
 */
export class PlatformNetwork extends Construct {
  readonly vpc: ec2.Vpc;
  readonly endpointSecurityGroup: ec2.SecurityGroup;
  /** By service, e.g. `get('execute-api')`, the views API's only way in. */
  readonly interfaceEndpoints: ReadonlyMap<InterfaceEndpointService, ec2.InterfaceVpcEndpoint>;
  /** The NAT instances, one per NAT AZ (none with NAT gateways). */
  readonly natInstances: readonly ec2.Instance[];

  constructor(scope: Construct, id: string, props: PlatformNetworkProps) {
    super(scope, id);
    const privateSubnetType = props.natGateways > 0 ? ec2.SubnetType.PRIVATE_WITH_EGRESS : ec2.SubnetType.PRIVATE_ISOLATED;
    const natInstanceProvider = props.natInstanceType && natInstances(props.natInstanceType);

    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(props.vpcCidr),
      availabilityZones: [...props.availabilityZones],
      natGateways: props.natGateways,
      natGatewayProvider: natInstanceProvider,
      restrictDefaultSecurityGroup: true,
      subnetConfiguration: [
        // Nothing but NAT gateways lives here, so nothing gets a public address by default.
        { name: PUBLIC_SUBNET_GROUP, subnetType: ec2.SubnetType.PUBLIC, cidrMask: props.publicSubnetPrefix ?? 24, mapPublicIpOnLaunch: false },
        { name: PRIVATE_SUBNET_GROUP, subnetType: privateSubnetType, cidrMask: props.privateSubnetPrefix ?? 20 },
      ],
      gatewayEndpoints: {
        S3: { service: ec2.GatewayVpcEndpointAwsService.S3 },
        DynamoDB: { service: ec2.GatewayVpcEndpointAwsService.DYNAMODB },
      },
    });

    for (const subnet of this.vpc.publicSubnets) {
      Validations.of(subnet).acknowledge({
        id: 'NIST.800.53.R5-VPCNoUnrestrictedRouteToIGW',
        reason: 'Public subnets hold only NATs (nothing else gets a public IP); their default route to the internet gateway is how private subnets reach the internet through NAT.',
      });
    }
    this.natInstances = natInstanceProvider ? natInstanceProvider.gatewayInstances : [];
    if (natInstanceProvider) hardenNatInstances(natInstanceProvider, props.vpcCidr);

    // The delivery role trusts the flow-logs service only for this account's flow logs.
    const { account, region, partition } = Stack.of(this);
    const flowLogRole = new iam.Role(this, 'FlowLogRole', {
      assumedBy: new iam.ServicePrincipal('vpc-flow-logs.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': account }, ArnLike: { 'aws:SourceArn': `arn:${partition}:ec2:${region}:${account}:vpc-flow-log/*` } },
      }),
      description: 'VPC flow logs: deliver to their encrypted log group',
    });
    Validations.of(flowLogRole).acknowledge({
      id: 'NIST.800.53.R5-IAMNoInlinePolicy',
      reason: "The flow-log role's inline policy is the one CDK generates for this one log group (write to it, pass the role to the service); it lives and dies with the role.",
    });
    this.vpc.addFlowLog('FlowLog', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(props.logs.logGroup(this, 'FlowLogGroup', props.flowLogRetention), flowLogRole),
      trafficType: ec2.FlowLogTrafficType.ALL,
    });

    // One group for all interface endpoints: HTTPS from inside the VPC, nothing else. The CIDR is
    // the literal from config because a token would read as "any address" to reviewers and cdk-nag.
    this.endpointSecurityGroup = new ec2.SecurityGroup(this, 'EndpointSecurityGroup', {
      vpc: this.vpc,
      description: 'Interface VPC endpoints: HTTPS from the VPC only',
      allowAllOutbound: false,
    });
    this.endpointSecurityGroup.addIngressRule(ec2.Peer.ipv4(props.vpcCidr), ec2.Port.tcp(443), 'HTTPS from the VPC');

    const endpoints = new Map<InterfaceEndpointService, ec2.InterfaceVpcEndpoint>();
    for (const service of props.interfaceEndpoints) {
      endpoints.set(
        service,
        this.vpc.addInterfaceEndpoint(endpointId(service), {
          service: new ec2.InterfaceVpcEndpointAwsService(service),
          privateDnsEnabled: true,
          open: false,
          securityGroups: [this.endpointSecurityGroup],
          subnets: { subnets: this.privateSubnets.slice(0, props.interfaceEndpointAzCount ?? props.availabilityZones.length) },
        }),
      );
    }
    this.interfaceEndpoints = endpoints;
  }

  /** The NAT gateways CDK placed in the public subnets (none when natGateways is 0). */
  get natGateways(): ec2.CfnNatGateway[] {
    return this.vpc.publicSubnets.map((s) => s.node.tryFindChild('NATGateway')).filter((c): c is ec2.CfnNatGateway => c instanceof ec2.CfnNatGateway);
  }

  /** The private subnets, one per AZ, in AZ order. */
  get privateSubnets(): ec2.ISubnet[] {
    return this.vpc.selectSubnets({ subnetGroupName: PRIVATE_SUBNET_GROUP }).subnets;
  }
}

/**
 * NAT instances on Amazon Linux 2023 (its SSM parameter, so synth needs no lookup), for the type's
 * architecture. No traffic is allowed by default: hardenNatInstances opens what NAT needs.
 * Standard CPU credits: a busy instance slows down instead of adding a bill.
 */
function natInstances(instanceType: ec2.InstanceType): ec2.NatInstanceProviderV2 {
  const cpuType = instanceType.architecture === ec2.InstanceArchitecture.ARM_64 ? ec2.AmazonLinuxCpuType.ARM_64 : ec2.AmazonLinuxCpuType.X86_64;
  return ec2.NatProvider.instanceV2({
    instanceType,
    machineImage: ec2.MachineImage.latestAmazonLinux2023({ cpuType }),
    defaultAllowedTraffic: ec2.NatTrafficDirection.NONE,
    associatePublicIpAddress: true,
    creditSpecification: instanceType.isBurstable() ? ec2.CpuCredits.STANDARD : undefined,
  });
}

/**
 * What a NAT gateway guarantees by construction, made explicit for an instance: HTTP and HTTPS in
 * from the VPC only (no SSH, no key pair, nothing from the internet) and out to the internet, IMDSv2
 * required, the root volume encrypted, one-minute metrics. Source/destination check is off (the
 * provider does it), as forwarding needs.
 */
function hardenNatInstances(provider: ec2.NatInstanceProviderV2, vpcCidr: string): void {
  const securityGroup = provider.securityGroup;
  for (const [port, what] of [
    [443, 'HTTPS'],
    [80, 'HTTP (package mirrors, CRLs)'],
  ] as const) {
    securityGroup.addIngressRule(ec2.Peer.ipv4(vpcCidr), ec2.Port.tcp(port), `${what} to forward, from the VPC only`);
    securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(port), `Forwarded ${what}`);
  }
  for (const instance of provider.gatewayInstances) {
    const cfn = instance.instance;
    cfn.monitoring = true;
    cfn.metadataOptions = { httpTokens: 'required', httpEndpoint: 'enabled', httpPutResponseHopLimit: 1 };
    cfn.blockDeviceMappings = [{ deviceName: '/dev/xvda', ebs: { encrypted: true, volumeType: 'gp3', deleteOnTermination: true } }];
    Validations.of(instance).acknowledge({
      id: 'NIST.800.53.R5-EC2InstanceNoPublicIp',
      reason: 'A NAT instance needs a public IPv4 address to forward the private subnets\' traffic through the internet gateway, as a NAT gateway needs its Elastic IP; it admits only HTTP(S) from the VPC.',
    });
    Validations.of(instance).acknowledge({
      id: 'NIST.800.53.R5-EC2InstancesInVPC',
      reason: 'The NAT instance is in the VPC: its public subnet is set on its network interface (NatProvider.instanceV2 with a public address), which this rule does not read.',
    });
    Validations.of(instance).acknowledge({
      id: 'AwsSolutions-EC29',
      reason: 'The NAT instance is disposable and holds no data: CloudFormation replaces it on a new image or type, which termination protection would block; deleting it only pauses egress until the stack restores it.',
    });
  }
}

/** `ecr.api` becomes `EcrApiEndpoint`: stable, readable logical ids. */
function endpointId(service: string): string {
  return service.split(/[.-]/).map((part) => part.charAt(0).toUpperCase() + part.slice(1)).join('') + 'Endpoint';
}
