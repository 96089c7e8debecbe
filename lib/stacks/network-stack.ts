import { CfnOutput, Fn } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { PlatformClientVpn } from '../../constructs/client-vpn';
import { EncryptedLogs } from '../../constructs/encrypted-logs';
import { PlatformNetwork } from '../../constructs/network';
import { DEFAULT_NAT_INSTANCE_TYPE, parseIpv4Cidr, vpcResolverAddress } from '../config';
import { PlatformStack, PlatformStackProps } from '../platform-stack';

/** The VPC, its endpoints and flow logs, and the Client VPN that engineers come in through. */
export class NetworkStack extends PlatformStack {
  readonly network: PlatformNetwork;
  readonly clientVpn?: PlatformClientVpn;

  constructor(scope: Construct, id: string, props: PlatformStackProps) {
    super(scope, id, props);
    const { network, vpn, availabilityZones } = this.config;
    const logs = new EncryptedLogs(this, 'NetworkLogs', { purpose: 'network (flow and VPN connection)' });

    this.network = new PlatformNetwork(this, 'Network', {
      vpcCidr: network.vpcCidr,
      availabilityZones,
      natGateways: network.natGateways,
      natInstanceType: network.natProvider === 'instance' ? new ec2.InstanceType(network.natInstanceType ?? DEFAULT_NAT_INSTANCE_TYPE) : undefined,
      interfaceEndpoints: network.interfaceEndpoints,
      interfaceEndpointAzCount: network.interfaceEndpointAzs,
      logs,
      flowLogRetention: network.flowLogRetentionDays,
    });

    if (vpn.enabled) {
      const vpc = parseIpv4Cidr(network.vpcCidr);
      if (typeof vpc === 'string') throw new Error(`unreachable: vpcCidr was validated (${vpc})`);
      this.clientVpn = new PlatformClientVpn(this, 'ClientVpn', {
        vpc: this.network.vpc,
        vpcCidr: network.vpcCidr,
        clientCidr: vpn.clientCidr,
        serverCertificateArn: vpn.serverCertificateArn,
        clientRootCaArn: vpn.clientRootCaArn,
        // 0 is VPN on demand: `platform vpn-access on` associates the first private subnet.
        subnets: this.network.privateSubnets.slice(0, vpn.associatedAzCount),
        dnsServer: vpcResolverAddress(vpc),
        sessionTimeout: vpn.sessionTimeoutHours as ec2.ClientVpnSessionTimeout,
        loginBanner: vpn.loginBanner,
        logs,
        connectionLogRetention: vpn.connectionLogRetentionDays,
      });
      new CfnOutput(this, 'ClientVpnEndpointId', { value: this.clientVpn.endpoint.endpointId, description: 'For `aws ec2 export-client-vpn-client-configuration`' });
    }

    new CfnOutput(this, 'VpcId', { value: this.network.vpc.vpcId });
    new CfnOutput(this, 'PrivateSubnetIds', { value: Fn.join(',', this.network.privateSubnets.map((s) => s.subnetId)) });
  }
}
