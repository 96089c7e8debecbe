import { ConfigError, EnvironmentInput, loadEnvironments, validateEnvironment, validateEnvironments } from '../../../lib/config';
import { ENVIRONMENTS } from '../../../lib/config/environments';
import { environmentInput } from '../../harness/platform';

/** The ConfigError message for `name`'s settings after `patch`, or a failure if it is accepted. */
function rejection(name: string, patch: (input: EnvironmentInput) => unknown): string {
  try {
    validateEnvironment(environmentInput(name, patch));
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('the configuration was accepted');
}

describe('the shipped environments', () => {
  test('dev, staging and prod are all valid', () => {
    expect(loadEnvironments().map((e) => e.name)).toEqual(['dev', 'staging', 'prod']);
  });

  test('follow the original platform where it was right: eu-north-1 and 10.100.0.0/16', () => {
    for (const env of loadEnvironments()) {
      expect(env.region).toBe('eu-north-1');
      expect(env.network.vpcCidr).toBe('10.100.0.0/16');
    }
  });

  test('dev is cost-lean and prod is highly available', () => {
    const [dev, , prod] = loadEnvironments();
    expect(dev.network.natGateways).toBe(1);
    expect(dev.network.interfaceEndpoints).toEqual([]);
    expect(prod.network.natGateways).toBe(prod.availabilityZones.length);
    expect(prod.network.interfaceEndpoints).toEqual(expect.arrayContaining(['logs', 'sqs', 'kms', 'sts', 'elasticmapreduce', 'airflow.api', 'airflow.env', 'airflow.ops']));
    expect(prod.vpn.associatedAzCount).toBeGreaterThanOrEqual(2);
  });

  test('duplicate environment names are rejected', () => {
    expect(() => validateEnvironments([ENVIRONMENTS[0], ENVIRONMENTS[0]])).toThrow(/environment 'dev'[\s\S]*name = "dev": each environment needs a unique name/);
  });
});

describe('a bad value is rejected with the environment, the field, the value and what is allowed', () => {
  test('an account that is not 12 digits', () => {
    expect(rejection('dev', (c) => ({ ...c, account: '12345' }))).toMatch(/environment 'dev'[\s\S]*account = "12345": an AWS account id of exactly 12 digits/);
  });

  test('an unknown region', () => {
    expect(rejection('staging', (c) => ({ ...c, region: 'eu-north-9' }))).toMatch(/environment 'staging'[\s\S]*region = "eu-north-9": a known AWS region/);
  });

  test('an availability zone of another region', () => {
    expect(rejection('dev', (c) => ({ ...c, availabilityZones: ['eu-north-1a', 'eu-west-1b'] }))).toMatch(
      /availabilityZones\[1\] = "eu-west-1b": an availability zone of eu-north-1, such as eu-north-1a/,
    );
  });

  test('fewer than two availability zones', () => {
    expect(rejection('dev', (c) => ({ ...c, availabilityZones: ['eu-north-1a'] }))).toMatch(/availabilityZones = \["eu-north-1a"\]: at least 2 availability zones/);
  });

  test('an invalid VPC CIDR', () => {
    expect(rejection('dev', (c) => ({ ...c, network: { ...c.network, vpcCidr: '10.100.0.300/16' } }))).toMatch(/network.vpcCidr = "10.100.0.300\/16": not an IPv4 CIDR block/);
    expect(rejection('dev', (c) => ({ ...c, network: { ...c.network, vpcCidr: '10.100.7.0/16' } }))).toMatch(/network.vpcCidr = "10.100.7.0\/16": host bits are set; the block starts at 10.100.0.0\/16/);
  });

  test('a VPC CIDR too small for the subnets', () => {
    expect(rejection('prod', (c) => ({ ...c, network: { ...c.network, vpcCidr: '10.100.0.0/24' } }))).toMatch(
      /environment 'prod'[\s\S]*network.vpcCidr = "10.100.0.0\/24": a block large enough for 3 AZs/,
    );
  });

  test('a VPN client CIDR that overlaps the VPC', () => {
    expect(rejection('dev', (c) => ({ ...c, vpn: { ...c.vpn, clientCidr: '10.100.4.0/22' } }))).toMatch(
      /vpn.clientCidr = "10.100.4.0\/22": a block that does not overlap the VPC 10.100.0.0\/16/,
    );
  });

  test('a VPN client CIDR smaller than /22', () => {
    expect(rejection('dev', (c) => ({ ...c, vpn: { ...c.vpn, clientCidr: '10.252.0.0/24' } }))).toMatch(/vpn.clientCidr = "10.252.0.0\/24": a block from \/12 to \/22/);
  });

  test('a malformed ACM certificate ARN', () => {
    expect(rejection('dev', (c) => ({ ...c, vpn: { ...c.vpn, serverCertificateArn: 'arn:aws:acm:eu-north-1:111111111111:cert/abc' } }))).toMatch(
      /vpn.serverCertificateArn = "arn:aws:acm:eu-north-1:111111111111:cert\/abc": an ACM certificate ARN: arn:aws:acm:eu-north-1:<12-digit account>:certificate\/<uuid>/,
    );
  });

  test('an ACM certificate in another region', () => {
    const arn = 'arn:aws:acm:us-east-1:111111111111:certificate/00000000-0000-4000-8000-00000000d002';
    expect(rejection('dev', (c) => ({ ...c, vpn: { ...c.vpn, clientRootCaArn: arn } }))).toMatch(/vpn.clientRootCaArn = "arn:aws:acm:us-east-1[^"]*": a certificate in the endpoint's region/);
  });

  test("no NAT gateway while private subnets need egress and endpoints are missing", () => {
    expect(rejection('dev', (c) => ({ ...c, network: { ...c.network, natGateways: 0 } }))).toMatch(
      /network.natGateways = 0: at least 1 while private subnets need egress; with 0 NAT gateways, network.interfaceEndpoints must also include logs, monitoring, sqs, kms, sts/,
    );
  });

  test('no NAT gateway is fine when every endpoint private MWAA and EMR need is there', () => {
    const prod = validateEnvironment(environmentInput('prod', (c) => ({ ...c, network: { ...c.network, natGateways: 0 } })));
    expect(prod.network.natGateways).toBe(0);
  });

  test('an unknown key, with a suggestion', () => {
    expect(rejection('dev', (c) => ({ ...c, network: { ...c.network, vpcCidrr: '10.0.0.0/16' } }))).toMatch(
      /network.vpcCidrr = "10.0.0.0\/16": unknown key \(did you mean 'vpcCidr'\?\); known keys here: vpcCidr, natGateways/,
    );
    expect(rejection('dev', (c) => ({ ...c, acount: '111111111111' }))).toMatch(/acount = "111111111111": unknown key \(did you mean 'account'\?\)/);
  });

  test('an unknown interface endpoint', () => {
    expect(rejection('dev', (c) => ({ ...c, network: { ...c.network, interfaceEndpoints: ['s3-express'] } }))).toMatch(
      /network.interfaceEndpoints.0 = "s3-express": Invalid option: expected one of "logs"\|"monitoring"/,
    );
  });

  test('a wrong type', () => {
    expect(rejection('dev', (c) => ({ ...c, network: { ...c.network, natGateways: '1' } }))).toMatch(/network.natGateways = "1": Invalid input: expected number, received string/);
  });

  test('more NAT gateways than availability zones', () => {
    expect(rejection('dev', (c) => ({ ...c, network: { ...c.network, natGateways: 3 } }))).toMatch(/network.natGateways = 3: 0 to 2 \(at most one per availability zone\)/);
  });

  test('production with a NAT gateway short of one per AZ', () => {
    expect(rejection('prod', (c) => ({ ...c, network: { ...c.network, natGateways: 1 } }))).toMatch(/environment 'prod'[\s\S]*network.natGateways = 1: 3 \(one per availability zone\) in a production environment/);
  });

  test('production with the VPN in a single AZ', () => {
    expect(rejection('prod', (c) => ({ ...c, vpn: { ...c.vpn, associatedAzCount: 1 } }))).toMatch(/vpn.associatedAzCount = 1: at least 2 in a production environment/);
  });

  test('a GitHub repository id without its owner id', () => {
    expect(rejection('dev', (c) => ({ ...c, delivery: { githubOwner: 'o', githubRepo: 'r', githubRepoId: 5 } }))).toMatch(
      /delivery.githubRepoId = 5: set together with delivery.githubOwnerId/,
    );
  });

  test("an existing OIDC provider that is not this account's GitHub provider", () => {
    expect(rejection('dev', (c) => ({ ...c, delivery: { ...c.delivery, existingOidcProviderArn: 'arn:aws:iam::222222222222:oidc-provider/token.actions.githubusercontent.com' } }))).toMatch(
      /delivery.existingOidcProviderArn = "arn:aws:iam::222222222222:[^"]*": the GitHub Actions provider of this account: arn:aws:iam::111111111111:oidc-provider\/token.actions.githubusercontent.com/,
    );
  });

  test('an e-mail address that is not one', () => {
    expect(rejection('dev', (c) => ({ ...c, alerts: { emails: ['ops-at-example.com'] } }))).toMatch(/alerts.emails.0 = "ops-at-example.com": Invalid email address/);
  });

  test('every problem is reported at once', () => {
    const message = rejection('dev', (c) => ({ ...c, account: 'x', region: 'mars-1' }));
    expect(message).toMatch(/account = "x"/);
    expect(message).toMatch(/region = "mars-1"/);
  });
});

describe('the lake removal-policy safety valve', () => {
  test('a production environment asking for DESTROY is rejected', () => {
    expect(rejection('prod', (c) => ({ ...c, lake: { ...c.lake, removalPolicy: 'destroy' } }))).toMatch(
      /environment 'prod'[\s\S]*lake.removalPolicy = "destroy": 'retain' in a production environment: its data must survive a stack deletion/,
    );
  });

  test('a non-production environment may ask for it', () => {
    expect(validateEnvironment(environmentInput('staging', (c) => ({ ...c, lake: { ...c.lake, removalPolicy: 'destroy' } }))).lake.removalPolicy).toBe('destroy');
  });

  test('bronze lifecycle days must be in an order S3 accepts', () => {
    expect(rejection('dev', (c) => ({ ...c, lake: { ...c.lake, bronzeInfrequentAccessAfterDays: 45, bronzeGlacierAfterDays: 70 } }))).toMatch(
      /lake.bronzeGlacierAfterDays = 70: at least 30 days after lake.bronzeInfrequentAccessAfterDays \(45\)/,
    );
    expect(rejection('dev', (c) => ({ ...c, lake: { ...c.lake, bronzeExpireAfterDays: 90 } }))).toMatch(/lake.bronzeExpireAfterDays = 90: more than lake.bronzeGlacierAfterDays \(90\)/);
  });
});
