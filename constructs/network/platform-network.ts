import { Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import type { PlatformNetworkProps } from './platform-network-props';

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
  readonly interfaceEndpoints: ReadonlyMap<string, ec2.InterfaceVpcEndpoint>;

  constructor(scope: Construct, id: string, props: PlatformNetworkProps) {
    super(scope, id);
    const privateSubnetType = props.natGateways > 0 ? ec2.SubnetType.PRIVATE_WITH_EGRESS : ec2.SubnetType.PRIVATE_ISOLATED;

    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(props.vpcCidr),
      availabilityZones: [...props.availabilityZones],
      natGateways: props.natGateways,
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
        reason: 'Public subnets hold only NAT gateways (nothing gets a public IP); their default route to the internet gateway is how private subnets reach the internet through NAT.',
      });
    }

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

    const endpoints = new Map<string, ec2.InterfaceVpcEndpoint>();
    for (const service of props.interfaceEndpoints) {
      endpoints.set(
        service,
        this.vpc.addInterfaceEndpoint(endpointId(service), {
          service: new ec2.InterfaceVpcEndpointAwsService(service),
          privateDnsEnabled: true,
          open: false,
          securityGroups: [this.endpointSecurityGroup],
          subnets: { subnetGroupName: PRIVATE_SUBNET_GROUP },
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

/** `ecr.api` becomes `EcrApiEndpoint`: stable, readable logical ids. */
function endpointId(service: string): string {
  return service.split(/[.-]/).map((part) => part.charAt(0).toUpperCase() + part.slice(1)).join('') + 'Endpoint';
}
