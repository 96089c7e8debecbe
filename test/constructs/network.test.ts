import { Match } from 'aws-cdk-lib/assertions';
import { environment, synthPlatform, templateOf } from '../harness/platform';

const platform = synthPlatform();
const network = (env: string) => templateOf(platform.stages.get(env)!.network);

describe.each([...platform.stages.keys()])('%s network', (env) => {
  const config = platform.stages.get(env)!.config;
  const template = network(env);
  const azCount = config.availabilityZones.length;

  test('a VPC with the configured CIDR, DNS on, and a public and a private subnet in every AZ', () => {
    template.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: config.network.vpcCidr, EnableDnsHostnames: true, EnableDnsSupport: true });
    template.resourceCountIs('AWS::EC2::Subnet', 2 * azCount);
    for (const az of config.availabilityZones) {
      template.hasResourceProperties('AWS::EC2::Subnet', { AvailabilityZone: az, MapPublicIpOnLaunch: false, CidrBlock: Match.stringLikeRegexp('/24$') });
      template.hasResourceProperties('AWS::EC2::Subnet', { AvailabilityZone: az, MapPublicIpOnLaunch: false, CidrBlock: Match.stringLikeRegexp('/20$') });
    }
  });

  test('NAT gateways as configured', () => {
    template.resourceCountIs('AWS::EC2::NatGateway', config.network.natGateways);
  });

  test('all traffic is flow-logged to a KMS-encrypted log group with the configured retention', () => {
    template.hasResourceProperties('AWS::EC2::FlowLog', { ResourceType: 'VPC', TrafficType: 'ALL', LogDestinationType: 'cloud-watch-logs' });
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      RetentionInDays: config.network.flowLogRetentionDays,
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^NetworkLogsKey'), 'Arn'] },
    });
  });

  test('every log group is encrypted, retained with the stack and has a retention', () => {
    for (const logGroup of Object.values(template.findResources('AWS::Logs::LogGroup'))) {
      expect(logGroup.Properties.KmsKeyId).toBeDefined();
      expect(logGroup.Properties.RetentionInDays).toBeGreaterThan(0);
      expect(logGroup.DeletionPolicy).toBe('Retain');
    }
  });

  test('the logs key rotates and lets only CloudWatch Logs of this account and region use it', () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: `logs.${config.region}.amazonaws.com` },
            Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:${config.region}:${config.account}:log-group:*` } },
          }),
        ]),
      },
    });
  });

  test('the default security group is stripped of its rules', () => {
    template.hasResourceProperties('Custom::VpcRestrictDefaultSG', { DefaultSecurityGroupId: Match.anyValue() });
  });

  test('gateway endpoints for S3 and DynamoDB on every private route table', () => {
    for (const service of ['s3', 'dynamodb']) {
      template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
        VpcEndpointType: 'Gateway',
        ServiceName: { 'Fn::Join': ['', ['com.amazonaws.', { Ref: 'AWS::Region' }, `.${service}`]] },
        RouteTableIds: Match.arrayWith([{ Ref: Match.stringLikeRegexp('privateSubnet1RouteTable') }]),
      });
    }
  });

  test('exactly the configured interface endpoints, with private DNS, in every private subnet', () => {
    const endpoints = Object.values(template.findResources('AWS::EC2::VPCEndpoint', { Properties: { VpcEndpointType: 'Interface' } }));
    const services = endpoints.map((e) => (e.Properties.ServiceName as string).replace(/^com\.amazonaws\.[a-z0-9-]+\./, ''));
    expect(services.sort()).toEqual([...config.network.interfaceEndpoints].sort());
    for (const endpoint of endpoints) {
      expect(endpoint.Properties.PrivateDnsEnabled).toBe(true);
      expect(endpoint.Properties.SubnetIds).toHaveLength(azCount);
    }
  });

  if (config.network.interfaceEndpoints.length > 0) {
    test('interface endpoints admit HTTPS from the VPC CIDR only', () => {
      template.hasResourceProperties('AWS::EC2::SecurityGroup', {
        GroupDescription: 'Interface VPC endpoints: HTTPS from the VPC only',
        SecurityGroupIngress: [{ CidrIp: config.network.vpcCidr, IpProtocol: 'tcp', FromPort: 443, ToPort: 443, Description: 'HTTPS from the VPC' }],
      });
    });
  }

  test('no security group admits or sends traffic to the whole internet', () => {
    for (const group of Object.values(template.findResources('AWS::EC2::SecurityGroup'))) {
      for (const rule of [...(group.Properties.SecurityGroupIngress ?? []), ...(group.Properties.SecurityGroupEgress ?? [])]) {
        expect(rule.CidrIp).not.toBe('0.0.0.0/0');
        expect(rule.CidrIpv6).toBeUndefined();
      }
    }
    template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
  });
});

test('with no NAT gateway the private subnets are isolated and reach AWS through endpoints', () => {
  const prod = environment('prod', (c) => ({ ...c, network: { ...c.network, natGateways: 0 } }));
  const template = templateOf(synthPlatform([prod]).stages.get('prod')!.network);
  template.resourceCountIs('AWS::EC2::NatGateway', 0);
  const routes = Object.values(template.findResources('AWS::EC2::Route'));
  expect(routes.every((r) => r.Properties.GatewayId !== undefined)).toBe(true);
  expect(routes).toHaveLength(prod.availabilityZones.length);
});
