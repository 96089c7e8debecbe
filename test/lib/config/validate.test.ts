import { ConfigError, EnvironmentInput, architectureOf, emrInstanceTypesIn, loadEnvironments, validateEnvironment, validateEnvironments } from '../../../lib/config';
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
  test('are all valid, in the order environments.ts declares them', () => {
    expect(loadEnvironments().map((e) => e.name)).toEqual(ENVIRONMENTS.map((e) => e.name));
  });

  test('production ones are highly available: a NAT gateway per AZ (or none) and the VPN in two AZs or more', () => {
    const production = loadEnvironments().filter((e) => e.production);
    for (const env of production) {
      expect([0, env.availabilityZones.length]).toContain(env.network.natGateways);
      if (env.vpn.enabled) expect(env.vpn.associatedAzCount).toBeGreaterThanOrEqual(2);
    }
  });

  test('every EMR cluster uses one architecture, and only types its region offers', () => {
    for (const env of loadEnvironments()) {
      const types = [...env.emr.primaryInstanceTypes, ...env.emr.coreInstanceTypes, ...env.emr.taskInstanceTypes];
      expect(new Set(types.map(architectureOf)).size).toBe(1);
      for (const type of types) expect({ region: env.region, type, offered: emrInstanceTypesIn(env.region)?.has(type) }).toEqual({ region: env.region, type, offered: true });
    }
  });

  test('duplicate environment names are rejected', () => {
    const [first] = ENVIRONMENTS;
    expect(() => validateEnvironments([first, first])).toThrow(new RegExp(`environment '${first.name}'[\\s\\S]*name = "${first.name}": each environment needs a unique name`));
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
    const vpcCidr = '10.20.0.0/16';
    expect(rejection('dev', (c) => ({ ...c, network: { ...c.network, vpcCidr }, vpn: { ...c.vpn, clientCidr: '10.20.4.0/22' } }))).toMatch(
      /vpn.clientCidr = "10.20.4.0\/22": a block that does not overlap the VPC 10.20.0.0\/16/,
    );
  });

  test('a VPN client CIDR smaller than /22', () => {
    expect(rejection('dev', (c) => ({ ...c, vpn: { ...c.vpn, clientCidr: '10.252.0.0/24' } }))).toMatch(/vpn.clientCidr = "10.252.0.0\/24": a block from \/12 to \/22/);
  });

  test('a malformed ACM certificate ARN', () => {
    expect(rejection('dev', (c) => ({ ...c, vpn: { ...c.vpn, serverCertificateArn: 'arn:aws:acm:eu-north-1:111111111111:cert/abc' } }))).toMatch(
      /vpn.serverCertificateArn = "arn:aws:acm:eu-north-1:111111111111:cert\/abc": an ACM certificate ARN: arn:aws:acm:eu-north-1:\d{12}:certificate\/<uuid>/,
    );
  });

  test('an ACM certificate in another region', () => {
    const arn = 'arn:aws:acm:us-east-1:111111111111:certificate/00000000-0000-4000-8000-00000000d002';
    expect(rejection('dev', (c) => ({ ...c, vpn: { ...c.vpn, clientRootCaArn: arn } }))).toMatch(/vpn.clientRootCaArn = "arn:aws:acm:us-east-1[^"]*": a certificate in the environment's own region and account/);
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

  test('an environment without the execute-api endpoint (the views API is private)', () => {
    const withoutIt = (c: EnvironmentInput) => ({ ...c, network: { ...c.network, interfaceEndpoints: c.network.interfaceEndpoints.filter((e) => e !== 'execute-api') } });
    for (const name of ENVIRONMENTS.map((e) => e.name)) {
      expect(rejection(name, withoutIt)).toMatch(/network.interfaceEndpoints = \[[^\]]*\]: a list that includes execute-api: the views API is private/);
    }
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

describe('cost levers: cheaper where an environment may be, refused where it must not be', () => {
  const production = ENVIRONMENTS.find((e) => e.production)!.name;
  const other = ENVIRONMENTS.find((e) => !e.production)!.name;
  const network = (patch: Partial<EnvironmentInput['network']>) => (c: EnvironmentInput) => ({ ...c, network: { ...c.network, ...patch } });

  test('a NAT instance outside production is accepted, with the default type or another', () => {
    expect(validateEnvironment(environmentInput(other, network({ natProvider: 'instance' }))).network.natProvider).toBe('instance');
    expect(validateEnvironment(environmentInput(other, network({ natProvider: 'instance', natInstanceType: 't4g.micro' }))).network.natInstanceType).toBe('t4g.micro');
  });

  test('a NAT instance in production is refused (a single point of failure)', () => {
    expect(rejection(production, network({ natProvider: 'instance' }))).toMatch(
      new RegExp(`environment '${production}'[\\s\\S]*network.natProvider = "instance": 'gateway' in a production environment: a NAT instance is a single point of failure`),
    );
  });

  test('an instance type without NAT instances, a NAT instance without a NAT, and a malformed type', () => {
    expect(rejection(other, network({ natProvider: 'gateway', natInstanceType: 't4g.nano' }))).toMatch(/network.natInstanceType = "t4g.nano": absent unless network.natProvider is 'instance'/);
    expect(rejection(production, network({ natGateways: 0, natProvider: 'instance' }))).toMatch(/network.natProvider = "instance": 'gateway' \(the default\) when network.natGateways is 0/);
    expect(rejection(other, network({ natProvider: 'instance', natInstanceType: 'nano' }))).toMatch(/network.natInstanceType = "nano": an EC2 instance type/);
  });

  test('interface endpoints in fewer AZs: allowed outside production, never more than the AZs, all of them in production', () => {
    expect(validateEnvironment(environmentInput(other, network({ interfaceEndpointAzs: 1 }))).network.interfaceEndpointAzs).toBe(1);
    const azs = ENVIRONMENTS.find((e) => e.name === other)!.availabilityZones.length;
    expect(rejection(other, network({ interfaceEndpointAzs: azs + 1 }))).toMatch(new RegExp(`network.interfaceEndpointAzs = ${azs + 1}: 1 to ${azs} \\(the number of availability zones\\)`));
    expect(rejection(production, network({ interfaceEndpointAzs: 1 }))).toMatch(/network.interfaceEndpointAzs = 1: \d or absent \(every AZ\) in a production environment/);
    expect(rejection(other, network({ interfaceEndpointAzs: 0 }))).toMatch(/network.interfaceEndpointAzs = 0: Too small/);
  });

  test('VPN on demand (no association) outside production is accepted; in production it is refused', () => {
    const vpn = (count: number) => (c: EnvironmentInput) => ({ ...c, vpn: { ...c.vpn, associatedAzCount: count } });
    expect(validateEnvironment(environmentInput(other, vpn(0))).vpn.associatedAzCount).toBe(0);
    expect(rejection(production, vpn(0))).toMatch(/vpn.associatedAzCount = 0: at least 2 in a production environment, so the VPN is always on/);
    expect(rejection(other, vpn(-1))).toMatch(/vpn.associatedAzCount = -1: Too small/);
  });

  test('mw1.micro runs one scheduler and one worker', () => {
    const micro = (patch: Partial<EnvironmentInput['mwaa']>) => (c: EnvironmentInput) => ({ ...c, mwaa: { ...c.mwaa, environmentClass: 'mw1.micro', schedulers: 1, minWorkers: 1, maxWorkers: 1, ...patch } });
    expect(validateEnvironment(environmentInput(other, micro({}))).mwaa.environmentClass).toBe('mw1.micro');
    expect(rejection(other, micro({ maxWorkers: 2 }))).toMatch(/mwaa.maxWorkers = 2: 1 with environment class mw1.micro/);
    expect(rejection(other, micro({ schedulers: 2 }))).toMatch(/mwaa.schedulers = 2: 1 with environment class mw1.micro/);
  });

  test('one provisioned shard is accepted; a shard count with on-demand capacity is not', () => {
    const streaming = (patch: Partial<EnvironmentInput['streaming']>) => (c: EnvironmentInput) => ({ ...c, streaming: { retentionHours: 24, ...patch } });
    expect(validateEnvironment(environmentInput(other, streaming({ mode: 'PROVISIONED', shardCount: 1 }))).streaming.shardCount).toBe(1);
    expect(rejection(other, streaming({ mode: 'ON_DEMAND', shardCount: 1 }))).toMatch(/streaming.shardCount = 1: absent when streaming.mode is ON_DEMAND/);
  });

  test('every lever refused in production is named in one message', () => {
    const message = rejection(production, (c) => ({ ...c, network: { ...c.network, natProvider: 'instance', interfaceEndpointAzs: 1 }, vpn: { ...c.vpn, associatedAzCount: 0 } }));
    for (const field of ['network.natProvider', 'network.interfaceEndpointAzs', 'vpn.associatedAzCount']) expect(message).toContain(`  - ${field} = `);
    expect(message).toMatch(/3 problems in 1 environment/);
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

describe('checks that catch what would fail at deploy', () => {
  test('a certificate of another account', () => {
    const [dev, other] = ENVIRONMENTS;
    const arn = dev.vpn.serverCertificateArn.replace(`:${dev.account}:`, `:${other.account}:`);
    expect(rejection(dev.name, (c) => ({ ...c, vpn: { ...c.vpn, serverCertificateArn: arn } }))).toContain(
      `vpn.serverCertificateArn = "${arn}": a certificate in the environment's own region and account (Client VPN cannot use another's): arn:aws:acm:${dev.region}:${dev.account}:certificate/<uuid>`,
    );
  });

  test.each(['8.8.0.0/16', '172.32.0.0/16', '11.0.0.0/16'])('a public VPC CIDR: %s', (vpcCidr) => {
    expect(rejection('dev', (c) => ({ ...c, network: { ...c.network, vpcCidr } }))).toContain(`network.vpcCidr = "${vpcCidr}": a private block inside 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 (RFC 1918)`);
  });

  test.each(['10.20.0.0/16', '172.31.0.0/16', '192.168.0.0/16', '100.64.0.0/16'])('a private VPC CIDR is accepted: %s', (vpcCidr) => {
    expect(validateEnvironment(environmentInput('dev', (c) => ({ ...c, network: { ...c.network, vpcCidr } }))).network.vpcCidr).toBe(vpcCidr);
  });

  test('an instance type the region does not offer, with alternatives of the same size', () => {
    const message = rejection('dev', (c) => ({ ...c, emr: { ...c.emr, taskInstanceTypes: [...c.emr.taskInstanceTypes, 'm6g.3xlarge'] } }));
    expect(message).toMatch(/emr.taskInstanceTypes\[\d+\] = "m6g.3xlarge": an instance type EMR can launch in eu-north-1 \(lib\/config\/instance-types.ts\)$/m);
  });

  test('m5a in eu-north-1 is refused, and so is a mix of Graviton and x86 in one cluster', () => {
    const message = rejection('dev', (c) => ({ ...c, emr: { ...c.emr, taskInstanceTypes: ['m6g.xlarge', 'm5a.xlarge'] } }));
    expect(message).toMatch(/emr.taskInstanceTypes\[1\] = "m5a.xlarge": an instance type EMR can launch in eu-north-1 \(lib\/config\/instance-types.ts\), e.g. m5.xlarge/);
    expect(message).toMatch(/emr.\*InstanceTypes = \["m5a.xlarge"\]: one architecture per cluster with EMR's default AMI, but these are x86_64 and .*m6g.xlarge.* are arm64 \(Graviton\)/);
  });

  test('an all-x86 cluster of offered types is accepted', () => {
    const x86 = ['m5.xlarge', 'm6i.xlarge'];
    const env = validateEnvironment(environmentInput('dev', (c) => ({ ...c, emr: { ...c.emr, primaryInstanceTypes: x86, coreInstanceTypes: x86, taskInstanceTypes: [...x86, 'r5.xlarge'] } })));
    expect(env.emr.taskInstanceTypes).toContain('r5.xlarge');
  });

  test('a region without an instance-type table says where to add one', () => {
    const message = rejection('dev', (c) => ({ ...c, region: 'ap-south-2', availabilityZones: ['ap-south-2a', 'ap-south-2b'] }));
    expect(message).toMatch(/region = "ap-south-2": a region lib\/config\/instance-types.ts lists EMR instance types for \(eu-north-1, eu-west-1, us-east-1\); add it there from 'aws emr list-supported-instance-types --region ap-south-2'/);
  });
});

describe('environments sharing an account', () => {
  const shareAccount = () => {
    const [first, second] = ENVIRONMENTS.map((e) => structuredClone(e) as EnvironmentInput);
    const certificate = (arn: string) => arn.replace(`:${second.account}:`, `:${first.account}:`);
    second.vpn = { ...second.vpn, serverCertificateArn: certificate(second.vpn.serverCertificateArn), clientRootCaArn: certificate(second.vpn.clientRootCaArn) };
    second.account = first.account;
    second.delivery = { ...second.delivery, existingOidcProviderArn: `arn:aws:iam::${first.account}:oidc-provider/token.actions.githubusercontent.com` };
    return { first, second };
  };

  test('must not share the CDK bootstrap qualifier: the message says how to bootstrap another', () => {
    const { first, second } = shareAccount();
    const message = (() => {
      try {
        validateEnvironments([first, second]);
      } catch (error) {
        return (error as Error).message;
      }
      throw new Error('accepted');
    })();
    expect(message).toContain(
      `environment '${second.name}':\n  - delivery.bootstrapQualifier = "hnb659fds": a qualifier no other environment in account ${first.account} and ${first.region} uses ('${first.name}' uses it`,
    );
    expect(message).toContain(`run 'npx cdk bootstrap aws://${first.account}/${first.region} --qualifier <q>'`);
  });

  test('with their own qualifiers they validate, and each stack and deploy grant uses its own', () => {
    const { first, second } = shareAccount();
    second.delivery = { ...second.delivery, bootstrapQualifier: `${second.name}bdp`.slice(0, 10) };
    const [a, b] = validateEnvironments([first, second]);
    expect(a.delivery.bootstrapQualifier).toBe('hnb659fds');
    expect(b.delivery.bootstrapQualifier).toBe(second.delivery.bootstrapQualifier);
  });

  test('only one of them may create the GitHub OIDC provider', () => {
    const { first, second } = shareAccount();
    second.delivery = { ...second.delivery, existingOidcProviderArn: undefined, bootstrapQualifier: 'other' };
    expect(() => validateEnvironments([first, second])).toThrow(
      `delivery.existingOidcProviderArn = undefined: arn:aws:iam::${first.account}:oidc-provider/token.actions.githubusercontent.com: '${first.name}' already creates this account's GitHub provider`,
    );
  });
});

describe('one message names every problem of every environment', () => {
  test('structural and relationship problems appear together, and a bad environment hides none after it', () => {
    const inputs = ENVIRONMENTS.map((e) => structuredClone(e) as EnvironmentInput & Record<string, unknown>);
    const [first, , last] = inputs;
    // An unknown key (structural) next to a VPN overlap (relationship) in the same section.
    first.network = { ...first.network, vpcCidr: '10.30.0.0/16', vpcCidrr: '10.0.0.0/16' } as EnvironmentInput['network'];
    first.vpn = { ...first.vpn, clientCidr: '10.30.8.0/22' };
    last.account = 'x';
    let error: unknown;
    try {
      validateEnvironments(inputs);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.map((p) => `${p.environment} ${p.field}`);
    expect(problems).toEqual([`${first.name} network.vpcCidrr`, `${first.name} vpn.clientCidr`, `${last.name} account`]);
    expect((error as Error).message.split('\n')[0]).toBe('Invalid configuration in lib/config/environments.ts: 3 problems in 2 environments');
  });
});
