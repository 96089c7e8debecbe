import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Match } from 'aws-cdk-lib/assertions';
import { DEFAULT_NAT_INSTANCE_TYPE } from '../../lib/config';
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

  const { natGateways: nats, natProvider } = config.network;
  test(`${nats} NAT ${natProvider}(s) as configured, and no NAT of the other kind`, () => {
    template.resourceCountIs('AWS::EC2::NatGateway', natProvider === 'gateway' ? nats : 0);
    template.resourceCountIs('AWS::EC2::Instance', natProvider === 'instance' ? nats : 0);
    // Every private subnet's default route goes through a NAT (in its AZ or the first one).
    const target = natProvider === 'gateway' ? 'NatGatewayId' : 'InstanceId';
    const defaultRoutes = Object.values(template.findResources('AWS::EC2::Route', { Properties: { DestinationCidrBlock: '0.0.0.0/0' } })).filter((r) => r.Properties[target] !== undefined);
    expect(defaultRoutes).toHaveLength(nats > 0 ? azCount : 0);
  });

  if (natProvider === 'instance' && nats > 0) {
    test('NAT instances are hardened: IMDSv2 only, encrypted root volume, no key pair, one-minute metrics, forwarding on', () => {
      const instances = Object.values(template.findResources('AWS::EC2::Instance'));
      const expectedType = config.network.natInstanceType ?? DEFAULT_NAT_INSTANCE_TYPE;
      for (const { Properties: instance } of instances) {
        expect(instance.InstanceType).toBe(expectedType);
        expect(instance.SourceDestCheck).toBe(false);
        expect(instance.Monitoring).toBe(true);
        expect(instance.KeyName).toBeUndefined();
        expect(instance.MetadataOptions).toEqual({ HttpTokens: 'required', HttpEndpoint: 'enabled', HttpPutResponseHopLimit: 1 });
        expect(instance.BlockDeviceMappings).toEqual([{ DeviceName: '/dev/xvda', Ebs: { Encrypted: true, VolumeType: 'gp3', DeleteOnTermination: true } }]);
        // Amazon Linux 2023 from its public SSM parameter, for the type's architecture: no AMI lookup at synth.
        const architecture = new ec2.InstanceType(expectedType).architecture === ec2.InstanceArchitecture.ARM_64 ? 'arm64' : 'x86_64';
        const parameter = template.toJSON().Parameters[instance.ImageId.Ref];
        expect(parameter).toMatchObject({ Type: 'AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>', Default: expect.stringMatching(new RegExp(`^/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-.*-${architecture}$`)) });
      }
    });

    test('the NAT security group forwards HTTP and HTTPS only: in from the VPC, out to the internet', () => {
      const group = Object.values(template.findResources('AWS::EC2::SecurityGroup', { Properties: { GroupDescription: 'Security Group for NAT instances' } }));
      expect(group).toHaveLength(1);
      const rules = (list: { CidrIp: string; IpProtocol: string; FromPort: number; ToPort: number }[]) => list.map((r) => `${r.CidrIp} ${r.IpProtocol}/${r.FromPort}-${r.ToPort}`).sort();
      const { SecurityGroupIngress: ingress, SecurityGroupEgress: egress } = group[0].Properties;
      expect(rules(ingress)).toEqual([`${config.network.vpcCidr} tcp/443-443`, `${config.network.vpcCidr} tcp/80-80`]);
      expect(rules(egress)).toEqual(['0.0.0.0/0 tcp/443-443', '0.0.0.0/0 tcp/80-80']);
    });
  }

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

  const endpointAzs = config.network.interfaceEndpointAzs ?? azCount;
  test(`exactly the configured interface endpoints, with private DNS, in the private subnets of ${endpointAzs} AZ(s)`, () => {
    const endpoints = Object.values(template.findResources('AWS::EC2::VPCEndpoint', { Properties: { VpcEndpointType: 'Interface' } }));
    const services = endpoints.map((e) => (e.Properties.ServiceName as string).replace(/^com\.amazonaws\.[a-z0-9-]+\./, ''));
    expect(services.sort()).toEqual([...config.network.interfaceEndpoints].sort());
    const subnets = template.findResources('AWS::EC2::Subnet');
    for (const endpoint of endpoints) {
      expect(endpoint.Properties.PrivateDnsEnabled).toBe(true);
      const azs = endpoint.Properties.SubnetIds.map((s: { Ref: string }) => subnets[s.Ref].Properties.AvailabilityZone);
      expect(azs).toEqual(config.availabilityZones.slice(0, endpointAzs));
      for (const subnet of endpoint.Properties.SubnetIds) expect(subnet.Ref).toMatch(/privateSubnet/);
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

  test('no security group admits traffic from the internet; only NAT instances send to it, and only HTTP(S)', () => {
    for (const group of Object.values(template.findResources('AWS::EC2::SecurityGroup'))) {
      const nat = group.Properties.GroupDescription === 'Security Group for NAT instances';
      for (const rule of group.Properties.SecurityGroupIngress ?? []) {
        expect(rule.CidrIp).not.toBe('0.0.0.0/0');
        expect(rule.CidrIpv6).toBeUndefined();
      }
      for (const rule of group.Properties.SecurityGroupEgress ?? []) {
        if (nat && rule.CidrIp === '0.0.0.0/0') expect([80, 443]).toContain(rule.FromPort);
        else expect(rule.CidrIp).not.toBe('0.0.0.0/0');
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
