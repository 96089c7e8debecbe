import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import type { PlatformClientVpnProps } from './platform-client-vpn-props';

/**
 * AWS Client VPN for engineers: mutual-TLS certificates from ACM, split tunnel (only VPC traffic
 * goes through the tunnel), the VPC resolver pushed as DNS, every connection logged to an
 * encrypted log group, associations in several AZs (or none, on demand), and authorisation for
 * the VPC CIDR only.
 */
export class PlatformClientVpn extends Construct {
  readonly endpoint: ec2.ClientVpnEndpoint;
  readonly securityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: PlatformClientVpnProps) {
    super(scope, id);

    // Applied to the endpoint's network interfaces: clients may open HTTPS to the VPC (Airflow UI,
    // private APIs) and ask the VPC resolver for names. Nothing else leaves the tunnel.
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'Client VPN: HTTPS to the VPC and DNS to the VPC resolver',
      allowAllOutbound: false,
    });
    this.securityGroup.addEgressRule(ec2.Peer.ipv4(props.vpcCidr), ec2.Port.tcp(443), 'HTTPS to private services');
    this.securityGroup.addEgressRule(ec2.Peer.ipv4(`${props.dnsServer}/32`), ec2.Port.udp(53), 'DNS to the VPC resolver');
    this.securityGroup.addEgressRule(ec2.Peer.ipv4(`${props.dnsServer}/32`), ec2.Port.tcp(53), 'DNS over TCP to the VPC resolver');

    this.endpoint = new ec2.ClientVpnEndpoint(this, 'Endpoint', {
      vpc: props.vpc,
      description: 'big-data-platform engineers (mutual TLS)',
      cidr: props.clientCidr,
      serverCertificateArn: props.serverCertificateArn,
      clientCertificateArn: props.clientRootCaArn,
      splitTunnel: true,
      dnsServers: [props.dnsServer],
      logging: true,
      logGroup: props.logs.logGroup(this, 'ConnectionLogGroup', props.connectionLogRetention),
      securityGroups: [this.securityGroup],
      vpcSubnets: { subnets: [...props.subnets] },
      authorizeAllUsersToVpcCidr: false,
      sessionTimeout: props.sessionTimeout,
      disconnectOnSessionTimeout: true,
      clientLoginBanner: props.loginBanner,
    });
    this.endpoint.addAuthorizationRule('VpcCidrOnly', {
      cidr: props.vpcCidr,
      description: 'Every authenticated engineer may reach the VPC, and nothing beyond it',
    });
  }
}
