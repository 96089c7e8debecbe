import { Match } from 'aws-cdk-lib/assertions';
import { Ipv4Cidr, parseIpv4Cidr, vpcResolverAddress } from '../../lib/config';
import { environment, synthPlatform, templateOf } from '../harness/platform';

const platform = synthPlatform();

describe.each([...platform.stages.keys()])('%s Client VPN', (env) => {
  const config = platform.stages.get(env)!.config;
  const template = templateOf(platform.stages.get(env)!.network);
  // The Amazon-provided resolver of this environment's VPC (its base address plus two).
  const resolver = vpcResolverAddress(parseIpv4Cidr(config.network.vpcCidr) as Ipv4Cidr);

  test('mutual-TLS authentication with the configured server certificate and client root CA', () => {
    template.hasResourceProperties('AWS::EC2::ClientVpnEndpoint', {
      ServerCertificateArn: config.vpn.serverCertificateArn,
      AuthenticationOptions: [{ Type: 'certificate-authentication', MutualAuthentication: { ClientRootCertificateChainArn: config.vpn.clientRootCaArn } }],
    });
  });

  test('split tunnel, the client CIDR, and the VPC resolver as DNS so private names resolve', () => {
    template.hasResourceProperties('AWS::EC2::ClientVpnEndpoint', { SplitTunnel: true, ClientCidrBlock: config.vpn.clientCidr, DnsServers: [resolver] });
  });

  test('session timeout and login banner from config', () => {
    template.hasResourceProperties('AWS::EC2::ClientVpnEndpoint', {
      SessionTimeoutHours: config.vpn.sessionTimeoutHours,
      ClientLoginBannerOptions: { Enabled: true, BannerText: config.vpn.loginBanner },
    });
  });

  test('every connection is logged to a KMS-encrypted log group', () => {
    template.hasResourceProperties('AWS::EC2::ClientVpnEndpoint', {
      ConnectionLogOptions: { Enabled: true, CloudwatchLogGroup: { Ref: Match.stringLikeRegexp('ClientVpnConnectionLogGroup') } },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: config.vpn.connectionLogRetentionDays, KmsKeyId: Match.anyValue() });
  });

  test('associated with private subnets in the configured number of distinct AZs', () => {
    const associations = Object.values(template.findResources('AWS::EC2::ClientVpnTargetNetworkAssociation'));
    expect(associations).toHaveLength(config.vpn.associatedAzCount);
    const subnets = template.findResources('AWS::EC2::Subnet');
    const azs = associations.map((a) => subnets[a.Properties.SubnetId.Ref].Properties.AvailabilityZone);
    expect(new Set(azs).size).toBe(config.vpn.associatedAzCount);
    for (const association of associations) expect(association.Properties.SubnetId.Ref).toMatch(/privateSubnet/);
  });

  if (config.vpn.associatedAzCount === 0) {
    test('on demand: the endpoint is complete but unassociated, and the stack outputs what `vpn-access on` reads', () => {
      template.resourceCountIs('AWS::EC2::ClientVpnEndpoint', 1);
      template.resourceCountIs('AWS::EC2::ClientVpnTargetNetworkAssociation', 0);
      template.hasResourceProperties('AWS::EC2::ClientVpnEndpoint', { SecurityGroupIds: [Match.anyValue()], VpcId: Match.anyValue() });
      template.hasOutput('ClientVpnEndpointId', { Value: { Ref: Match.stringLikeRegexp('ClientVpnEndpoint') } });
      template.hasOutput('PrivateSubnetIds', { Value: { 'Fn::Join': [',', Match.arrayWith([{ Ref: Match.stringLikeRegexp('privateSubnet1Subnet') }])] } });
    });
  }

  test('authorised for the VPC CIDR only', () => {
    template.resourceCountIs('AWS::EC2::ClientVpnAuthorizationRule', 1);
    template.hasResourceProperties('AWS::EC2::ClientVpnAuthorizationRule', { TargetNetworkCidr: config.network.vpcCidr, AuthorizeAllGroups: true });
  });

  test('its security group allows only HTTPS into the VPC and DNS to the resolver', () => {
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: 'Client VPN: HTTPS to the VPC and DNS to the VPC resolver',
      SecurityGroupIngress: Match.absent(),
      SecurityGroupEgress: [
        Match.objectLike({ CidrIp: config.network.vpcCidr, IpProtocol: 'tcp', FromPort: 443, ToPort: 443 }),
        Match.objectLike({ CidrIp: `${resolver}/32`, IpProtocol: 'udp', FromPort: 53, ToPort: 53 }),
        Match.objectLike({ CidrIp: `${resolver}/32`, IpProtocol: 'tcp', FromPort: 53, ToPort: 53 }),
      ],
    });
  });
});

test('an environment with the VPN disabled has no endpoint', () => {
  const dev = environment('dev', (c) => ({ ...c, vpn: { ...c.vpn, enabled: false } }));
  templateOf(synthPlatform([dev]).stages.get('dev')!.network).resourceCountIs('AWS::EC2::ClientVpnEndpoint', 0);
});
