import type { EnvironmentInput } from '../lib/config';

/**
 * What a team does to make the platform its own, as data: test/adaptation.test.ts runs the real
 * suites against it. Each change touches one file in the repository (see README, "Make it yours").
 */

/** Another VPC block, valid for every environment (lib/config/environments.ts: VPC_CIDR). */
export const ADAPTED_VPC_CIDR = '172.20.0.0/16';
/** A fourth environment, in its own account, between staging and prod. */
export const ADAPTED_ENVIRONMENT = 'qa';
const QA_ACCOUNT = '444444444444';
/** A column added to the events of bronze and silver (etl/bdp_etl/datasets.json). */
export const ADAPTED_COLUMN = { name: 'referrer', type: 'string', comment: 'Page or app screen the event came from' };
/** A new gold dataset. */
export const ADAPTED_GOLD_DATASET = {
  name: 'weekly_country_revenue',
  zone: 'gold',
  description: 'Revenue per country and ISO week.',
  columns: [
    { name: 'country', type: 'string' },
    { name: 'iso_week', type: 'string' },
    { name: 'revenue', type: 'decimal(12,2)' },
  ],
};

export function adaptEnvironments(environments: readonly EnvironmentInput[]): EnvironmentInput[] {
  const adapted = environments.map((e) => ({ ...structuredClone(e), network: { ...e.network, vpcCidr: ADAPTED_VPC_CIDR } }));
  const template = adapted.find((e) => !e.production) ?? adapted[0];
  const certificate = (arn: string) => arn.replace(`:${template.account}:`, `:${QA_ACCOUNT}:`);
  const qa: EnvironmentInput = {
    ...structuredClone(template),
    name: ADAPTED_ENVIRONMENT,
    account: QA_ACCOUNT,
    vpn: { ...template.vpn, serverCertificateArn: certificate(template.vpn.serverCertificateArn), clientRootCaArn: certificate(template.vpn.clientRootCaArn) },
  };
  const production = adapted.findIndex((e) => e.production);
  adapted.splice(production === -1 ? adapted.length : production, 0, qa);
  return adapted;
}

interface Declaration {
  readonly datasets: readonly { readonly name: string; readonly zone: string; readonly columns: readonly object[] }[];
}

export function adaptDatasets<T extends Declaration>(declaration: T): T {
  const datasets = declaration.datasets.map((d) =>
    d.name === 'events' && (d.zone === 'bronze' || d.zone === 'silver') ? { ...d, columns: [...d.columns, ADAPTED_COLUMN] } : d,
  );
  return { ...declaration, datasets: [...datasets, ADAPTED_GOLD_DATASET] };
}
