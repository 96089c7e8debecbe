import type { EnvironmentInput } from '../../../lib/config';
import { ENVIRONMENTS } from '../../../lib/config/environments';

/**
 * The README's sample: five problems in two environments, structural and relational, including two
 * that would otherwise fail only at deploy. Every value the message shows is set here, so the
 * sample stays true whatever a team puts in environments.ts.
 */
export function readmeSampleEnvironments(): unknown[] {
  const [template] = ENVIRONMENTS;
  const production = ENVIRONMENTS.find((e) => e.production) ?? template;
  const region = 'eu-north-1';
  const arm = ['m6g.xlarge'];
  const x86 = ['m5.xlarge', 'm6i.xlarge'];
  const shape = (base: EnvironmentInput, name: string, account: string, vpcCidr: string, clientCidr: string): EnvironmentInput => {
    const certificate = (id: string) => `arn:aws:acm:${region}:${account}:certificate/00000000-0000-4000-8000-00000000000${id}`;
    return {
      ...structuredClone(base),
      name,
      account,
      region,
      availabilityZones: [`${region}a`, `${region}b`, `${region}c`],
      network: { vpcCidr, natGateways: 3, interfaceEndpoints: ['execute-api'], flowLogRetentionDays: 30 },
      vpn: { ...base.vpn, enabled: true, clientCidr, serverCertificateArn: certificate('1'), clientRootCaArn: certificate('2'), associatedAzCount: 2 },
      emr: { ...base.emr, primaryInstanceTypes: arm, coreInstanceTypes: arm, taskInstanceTypes: arm },
      delivery: { ...base.delivery, existingOidcProviderArn: undefined, bootstrapQualifier: undefined },
    };
  };
  const dev = shape(template, 'dev', '111111111111', '10.100.0.0/16', '10.100.4.0/22');
  const prod = shape(production, 'prod', '333333333333', '8.8.0.0/16', '10.252.0.0/22');
  return [
    // A misspelt key next to a relationship problem: both are reported.
    // An x86 cluster whose task fleet names a type eu-north-1 does not offer.
    { ...dev, network: { ...dev.network, vpcCidrr: '10.0.0.0/16' }, emr: { ...dev.emr, primaryInstanceTypes: x86, coreInstanceTypes: x86, taskInstanceTypes: [...x86, 'm5a.xlarge'] } },
    { ...prod, vpn: { ...prod.vpn, serverCertificateArn: dev.vpn.serverCertificateArn } },
  ];
}
