import { runSimulation } from '@cloud-copilot/iam-simulate';
import type { Stack } from 'aws-cdk-lib';
import { loadEnvironments } from '../../lib/config';
import { FOREIGN_ACCOUNT, type PolicyDocument, type PolicyStatementJson } from '../harness/iam/access';
import { type ResolvedResource, TemplateWorld } from '../harness/iam/template-world';
import { synthPlatform, templateOf } from '../harness/platform';

/**
 * The views API as deployed in each environment: private to that environment's execute-api
 * interface endpoint (from the network stack), and its resource policy evaluated by the IAM
 * simulator the access matrix uses, with the expansion API Gateway applies to `execute-api:/*`.
 */

const { stages } = synthPlatform();
const environments = loadEnvironments();

function worldOf(name: string): TemplateWorld {
  const stage = stages.get(name)!;
  const stacks = stage.node.children.filter((c): c is Stack => 'templateOptions' in c);
  return new TemplateWorld(stacks.map((stack) => ({ stackName: stack.stackName, account: stack.account, region: stack.region, template: templateOf(stack).toJSON() })));
}

/** The network's interface endpoint for execute-api, found by its service name. */
function executeApiEndpoint(world: TemplateWorld, region: string): ResolvedResource {
  const found = world.ofType('AWS::EC2::VPCEndpoint', '-Network').filter((e) => e.properties.ServiceName === `com.amazonaws.${region}.execute-api`);
  if (found.length !== 1) throw new Error(`expected one execute-api endpoint in the network, found ${found.length}`);
  return found[0];
}

const asList = <T>(value: T | readonly T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? [...value] : [value as T]);

describe.each(environments.map((e) => e.name))('%s: the views API', (name) => {
  const config = environments.find((e) => e.name === name)!;
  const { account, region } = config;
  const world = worldOf(name);
  const endpoint = executeApiEndpoint(world, region);
  const api = world.find('AWS::ApiGateway::RestApi', /^ViewsApi/, '-FastLayer');
  const apiArn = `arn:aws:execute-api:${region}:${account}:${api.ref}`;
  // API Gateway stores `execute-api:/<stage>/<method>/<path>` as the full ARN of this API.
  const policy: PolicyDocument = {
    Version: '2012-10-17',
    Statement: (api.properties.Policy.Statement as PolicyStatementJson[]).map((s) => ({ ...s, Resource: asList(s.Resource).map((r) => r.replace(/^execute-api:/, apiArn)) })),
  };
  const viewsApi = stages.get(name)!.fastLayer.viewsApi;
  const invokeArns = viewsApi.endpoints.map((e) => `${apiArn}/${viewsApi.stageName}/${e.method}${e.path.replace(/\{[^}]+\}/g, 'x')}`);
  // What grantInvoke gives a caller of this account: Invoke on every GET of the stage.
  const callerPolicy = [{ name: 'invoke', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow' as const, Action: 'execute-api:Invoke', Resource: `${apiArn}/${viewsApi.stageName}/GET/*` }] } }];

  async function decide(principal: string, resource: string, sourceVpce: string | undefined, identityPolicies = callerPolicy) {
    const result = await runSimulation(
      {
        request: {
          principal,
          action: 'execute-api:Invoke',
          resource: { resource, accountId: account },
          // The simulator does not derive aws:PrincipalAccount; API Gateway does, from the signature.
          contextVariables: { 'aws:SecureTransport': 'true', 'aws:PrincipalAccount': principal.split(':')[4], ...(sourceVpce ? { 'aws:SourceVpce': sourceVpce } : {}) },
        },
        identityPolicies,
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        resourcePolicy: policy,
      },
      { simulationMode: 'Strict' },
    );
    return result.resultType === 'error' ? `Error: ${JSON.stringify(result.errors).slice(0, 300)}` : result.overallResult;
  }

  test('is PRIVATE, associated with the network execute-api endpoint, and IAM-authorized on every method', () => {
    expect(api.properties.EndpointConfiguration).toEqual({ Types: ['PRIVATE'], VpcEndpointIds: [endpoint.ref] });
    expect(endpoint.properties.PrivateDnsEnabled).toBe(true);
    const methods = world.ofType('AWS::ApiGateway::Method', '-FastLayer');
    expect(methods.map((m) => m.properties.HttpMethod).sort()).toEqual(viewsApi.endpoints.map((e) => e.method).sort());
    for (const method of methods) expect(method.properties.AuthorizationType).toBe('AWS_IAM');
  });

  test('no statement allows Invoke without the endpoint condition, and the deny covers every other path', () => {
    const allows = policy.Statement.filter((s) => s.Effect === 'Allow');
    expect(allows.length).toBeGreaterThan(0);
    for (const allow of allows) expect(allow.Condition?.StringEquals?.['aws:SourceVpce']).toEqual([endpoint.ref]);
    expect(policy.Statement).toContainEqual(expect.objectContaining({ Effect: 'Deny', Principal: { AWS: '*' }, Condition: { StringNotEquals: { 'aws:SourceVpce': [endpoint.ref] } } }));
  });

  test('a principal of this account with Invoke in its policy may call every endpoint through the VPC endpoint', async () => {
    const engineer = `arn:aws:iam::${account}:role/engineer`;
    for (const arn of invokeArns) expect([arn, await decide(engineer, arn, endpoint.ref)]).toEqual([arn, 'Allowed']);
  });

  test('everything else is denied: no endpoint, another endpoint, another account, no Invoke in its own policy', async () => {
    const engineer = `arn:aws:iam::${account}:role/engineer`;
    const other = environments.find((e) => e.name !== name)!;
    const otherEndpoint = executeApiEndpoint(worldOf(other.name), other.region).ref;
    expect(otherEndpoint).not.toBe(endpoint.ref);
    const [arn] = invokeArns;
    expect(await decide(engineer, arn, undefined)).toBe('ExplicitlyDenied');
    expect(await decide(engineer, arn, otherEndpoint)).toBe('ExplicitlyDenied');
    expect(await decide(engineer, arn, 'vpce-0ffffffffffffffff')).toBe('ExplicitlyDenied');
    expect(await decide(`arn:aws:iam::${FOREIGN_ACCOUNT}:role/engineer`, arn, endpoint.ref)).toBe('ExplicitlyDenied');
    // The resource policy names the account, so a caller also needs Invoke in its own policy.
    expect(await decide(engineer, arn, endpoint.ref, [])).toBe('ImplicitlyDenied');
  });
});
