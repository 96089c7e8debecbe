/**
 * A team adapts the platform: another VPC CIDR, a fourth environment (qa), a new column and a new
 * gold dataset. This file swaps the configuration and the dataset declaration in memory, then runs
 * the real suites that cover them, unchanged, plus the checks below. If any of them pins a shipped
 * value instead of following the configuration, it fails here.
 */
import { EnvironmentConfig, Ipv4Cidr, loadEnvironments, parseIpv4Cidr, vpcResolverAddress } from '../lib/config';
import { DATASETS, ICEBERG_ZONES, dataset } from '../lib/datasets';
import { stageId } from '../lib/platform-stage';
import { selectEnvironments } from '../scripts/delivery-env';
import { ADAPTED_COLUMN, ADAPTED_ENVIRONMENT, ADAPTED_GOLD_DATASET, ADAPTED_VPC_CIDR } from './adaptation';
import { nagFindings, synthPlatform, templateOf } from './harness/platform';
// The real suites, registered in this file so they run against the adapted configuration (jest
// hoists the mocks below above every import).
import './lib/config/validate.test';
import './lib/datasets.test';
import './constructs/network.test';
import './constructs/client-vpn.test';

jest.mock('../lib/config/environments', () => {
  const actual = jest.requireActual('../lib/config/environments');
  return { ...actual, ENVIRONMENTS: jest.requireActual('./adaptation').adaptEnvironments(actual.ENVIRONMENTS) };
});
jest.mock('../etl/bdp_etl/datasets.json', () => jest.requireActual('./adaptation').adaptDatasets(jest.requireActual('../etl/bdp_etl/datasets.json')));

describe('the adapted configuration', () => {
  const environments = loadEnvironments();
  const platform = synthPlatform();

  test('validates, with the fourth environment before production and the new CIDR everywhere', () => {
    expect(environments.map((e) => e.name)).toContain(ADAPTED_ENVIRONMENT);
    expect(environments.every((e) => e.network.vpcCidr === ADAPTED_VPC_CIDR)).toBe(true);
    expect(selectEnvironments(environments.map((e) => e.name), 'all')).toEqual(environments.map((e) => e.name));
  });

  test('synthesizes a stage per environment, the new one with no cdk-nag finding its model lacks', () => {
    expect([...platform.stages.keys()]).toEqual(environments.map((e) => e.name));
    const qa = platform.stages.get(ADAPTED_ENVIRONMENT)!;
    templateOf(qa.network).hasResourceProperties('AWS::EC2::VPC', { CidrBlock: ADAPTED_VPC_CIDR });
    templateOf(qa.network).hasResourceProperties('AWS::EC2::ClientVpnEndpoint', { DnsServers: [vpcResolverAddress(parseIpv4Cidr(ADAPTED_VPC_CIDR) as Ipv4Cidr)] });
    // The new environment has exactly the cdk-nag findings of the one it was copied from (none, when
    // the compliance suite is green): adapting adds no finding.
    const findings = nagFindings(platform.app);
    const template = environments.find((e) => !e.production && e.name !== ADAPTED_ENVIRONMENT)!;
    const rulesOf = (config: EnvironmentConfig) =>
      findings.filter((f) => f.path.startsWith(`${stageId(config.name)}/`)).map((f) => `${f.path.slice(stageId(config.name).length)} ${f.rule.replaceAll(config.account, '<account>')}`).sort();
    expect(rulesOf(qa.config)).toEqual(rulesOf(template));
  });

  test('catalogues the new column; the new gold dataset reaches the ETL, which defines the Iceberg tables', () => {
    expect(dataset('silver', 'events').columns.at(-1)).toEqual(ADAPTED_COLUMN);
    expect(dataset('gold', ADAPTED_GOLD_DATASET.name).columns.map((c) => c.name)).toEqual(ADAPTED_GOLD_DATASET.columns.map((c) => c.name));
    // CloudFormation defines the Parquet tables of the raw zones only (as test/constructs/lake-catalog.test.ts checks).
    const tables = Object.values(templateOf(platform.stages.get(ADAPTED_ENVIRONMENT)!.lake).findResources('AWS::Glue::Table'));
    const raw = DATASETS.filter((d) => !ICEBERG_ZONES.includes(d.zone));
    expect(tables.map((t) => t.Properties.TableInput.Name).sort()).toEqual(raw.map((d) => d.name).sort());
    const bronzeEvents = tables.find((t) => t.Properties.TableInput.Name === 'events');
    expect(bronzeEvents?.Properties.TableInput.StorageDescriptor.Columns.at(-1)).toEqual({ Name: ADAPTED_COLUMN.name, Type: ADAPTED_COLUMN.type, Comment: ADAPTED_COLUMN.comment });
  });
});
