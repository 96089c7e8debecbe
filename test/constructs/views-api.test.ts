import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import { EncryptedLogs } from '../../constructs/encrypted-logs';
import { ACCESS_LOG_FIELDS, DEFAULT_MINUTES_THROTTLE, DEFAULT_STAGE_THROTTLE, INTEGRATION_RESPONSES, ViewsApi, type ViewsApiProps } from '../../constructs/views-api';
import { DEFAULT_LIMITS } from '../../constructs/views-api/views-api-props';
import { viewsApiSignals } from '../../lib/monitoring-signals';
import { cdkJsonContext, nagFindings } from '../harness/platform';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- template JSON is untyped
type Json = any;
const ACCOUNT = '123456789012';
const REGION = 'eu-north-1';
const ENDPOINT_ID = 'vpce-0a1b2c3d4e5f60718';

function build(props: Partial<ViewsApiProps> = {}) {
  const app = new App({ context: cdkJsonContext() });
  const stack = new Stack(app, 'Views', { env: { account: ACCOUNT, region: REGION } });
  const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
  const table = new dynamodb.TableV2(stack, 'Table', {
    partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
    sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
    encryption: dynamodb.TableEncryptionV2.customerManagedKey(key),
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
  });
  const logs = new EncryptedLogs(stack, 'Logs', { purpose: 'test' });
  const endpoint = ec2.InterfaceVpcEndpoint.fromInterfaceVpcEndpointAttributes(stack, 'ExecuteApiEndpoint', { vpcEndpointId: ENDPOINT_ID, port: 443 });
  const api = new ViewsApi(stack, 'ViewsApi', { apiName: 'test-views-api', table, tableKey: key, logs, allowedVpcEndpoints: [endpoint], ...props });
  return { app, stack, api, table, key, logs, template: Template.fromStack(stack) };
}

const built = build();
const { template, stack, api } = built;
const ref = (construct: { node: { defaultChild?: unknown } }) => ({ Ref: stack.getLogicalId(construct.node.defaultChild as never) });
const methods = Object.values(template.findResources('AWS::ApiGateway::Method')) as Json[];

test('cdk-nag reports nothing unacknowledged, and every acknowledgement says why', () => {
  expect(nagFindings(built.app)).toEqual([]);
  const acknowledged = Object.values(template.toJSON().Resources as Json).flatMap((r: Json) => r.Metadata?.cdk_nag?.rules_to_suppress ?? []);
  for (const ack of acknowledged) expect(ack.reason.length).toBeGreaterThan(80);
});

test('one GET method per endpoint, each IAM-authorized, validated, and integrated with DynamoDB directly', () => {
  expect(methods).toHaveLength(api.endpoints.length);
  const settings = { tableName: built.table.tableName, limits: DEFAULT_LIMITS };
  for (const endpoint of api.endpoints) {
    const method = methods.find((m) => m.Properties.OperationName === endpoint.id)!.Properties;
    expect(method).toMatchObject({ HttpMethod: 'GET', AuthorizationType: 'AWS_IAM', RequestValidatorId: { Ref: expect.any(String) } });
    expect(method.RequestParameters).toEqual(Object.fromEntries(endpoint.parameters.map((p) => [`method.request.${p.in === 'query' ? 'querystring' : 'path'}.${p.name}`, p.required])));
    const integration = method.Integration;
    expect(integration).toMatchObject({ Type: 'AWS', IntegrationHttpMethod: 'POST', PassthroughBehavior: 'NEVER', Credentials: { 'Fn::GetAtt': [stack.getLogicalId(api.integrationRole.node.defaultChild as never), 'Arn'] } });
    expect(JSON.stringify(integration.Uri)).toContain(`:dynamodb:action/${endpoint.action}`);
    // The deployed templates are the very strings the contract tests render.
    const templates = endpoint.templates(settings);
    expect(integration.RequestTemplates['application/json']).toEqual(stack.resolve(templates.request));
    expect(integration.IntegrationResponses).toEqual(
      INTEGRATION_RESPONSES.map((r) => ({ StatusCode: r.statusCode, ...('selectionPattern' in r ? { SelectionPattern: r.selectionPattern } : {}), ResponseTemplates: { 'application/json': stack.resolve(templates.response) } })),
    );
    expect(method.MethodResponses.map((r: Json) => r.StatusCode)).toEqual(Object.keys(endpoint.responses));
  }
  template.hasResourceProperties('AWS::ApiGateway::RequestValidator', { ValidateRequestParameters: true });
});

test('the integration role reads the table (GetItem, Query) and decrypts through DynamoDB, nothing else', () => {
  const role = template.findResources('AWS::IAM::Role', { Properties: { Description: Match.stringLikeRegexp('^Views API') } });
  const [roleId] = Object.keys(role);
  expect(role[roleId].Properties.AssumeRolePolicyDocument.Statement).toEqual([
    { Effect: 'Allow', Principal: { Service: 'apigateway.amazonaws.com' }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } } },
  ]);
  const policies = Object.values(template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } })) as Json[];
  expect(policies.flatMap((p) => p.Properties.PolicyDocument.Statement)).toEqual([
    { Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:Query'], Resource: stack.resolve(built.table.tableArn) },
    { Effect: 'Allow', Action: 'kms:Decrypt', Resource: stack.resolve(built.key.keyArn), Condition: { StringEquals: { 'kms:ViaService': `dynamodb.${REGION}.amazonaws.com` } } },
  ]);
});

test("the account's API Gateway logging role trusts API Gateway of this account only", () => {
  const roles = Object.values(template.findResources('AWS::IAM::Role')) as Json[];
  const logging = roles.filter((r) => JSON.stringify(r.Properties.ManagedPolicyArns ?? []).includes('AmazonAPIGatewayPushToCloudWatchLogs'));
  expect(logging).toHaveLength(1);
  expect(logging[0].Properties.AssumeRolePolicyDocument.Statement).toEqual([
    { Effect: 'Allow', Principal: { Service: 'apigateway.amazonaws.com' }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } } },
  ]);
});

test('the API is private to the given endpoints; the resource policy allows only through them and denies every other path and account', () => {
  const restApi = (Object.values(template.findResources('AWS::ApiGateway::RestApi'))[0] as Json).Properties;
  expect(restApi.EndpointConfiguration).toEqual({ Types: ['PRIVATE'], VpcEndpointIds: [ENDPOINT_ID] });
  expect(restApi.DisableExecuteApiEndpoint).toBe(false);
  const statements = restApi.Policy.Statement as Json[];
  // Every allow is bound to the endpoints; both denies cover every principal.
  for (const allow of statements.filter((st) => st.Effect === 'Allow')) {
    expect(allow).toMatchObject({ Action: 'execute-api:Invoke', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Condition: { StringEquals: { 'aws:SourceVpce': [ENDPOINT_ID] } } });
  }
  expect(statements.filter((st) => st.Effect === 'Deny')).toEqual([
    expect.objectContaining({ Principal: { AWS: '*' }, Action: 'execute-api:Invoke', Resource: 'execute-api:/*', Condition: { StringNotEquals: { 'aws:SourceVpce': [ENDPOINT_ID] } } }),
    expect.objectContaining({ Principal: { AWS: '*' }, Action: 'execute-api:Invoke', Resource: 'execute-api:/*', Condition: { StringNotEquals: { 'aws:PrincipalAccount': ACCOUNT } } }),
  ]);
});

test('without an execute-api endpoint the construct refuses to build, naming the prop', () => {
  expect(() => build({ allowedVpcEndpoints: [] })).toThrow(/ViewsApi Views\/ViewsApi: allowedVpcEndpoints is empty/);
});

test('the stage is throttled (the minutes query lower), traced, and access-logged as JSON to an encrypted group', () => {
  const stage = (Object.values(template.findResources('AWS::ApiGateway::Stage'))[0] as Json).Properties;
  expect(stage.TracingEnabled).toBe(true);
  expect(stage.MethodSettings).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ ResourcePath: '/*', HttpMethod: '*', ThrottlingRateLimit: DEFAULT_STAGE_THROTTLE.rateLimit, ThrottlingBurstLimit: DEFAULT_STAGE_THROTTLE.burstLimit, LoggingLevel: 'ERROR', DataTraceEnabled: false }),
      expect.objectContaining({ ResourcePath: '/~1event-types~1{eventType}~1minutes', HttpMethod: 'GET', ThrottlingRateLimit: DEFAULT_MINUTES_THROTTLE.rateLimit, ThrottlingBurstLimit: DEFAULT_MINUTES_THROTTLE.burstLimit }),
    ]),
  );
  expect(JSON.parse(stage.AccessLogSetting.Format)).toEqual(ACCESS_LOG_FIELDS);
  expect(JSON.stringify(stage.AccessLogSetting.DestinationArn)).toContain(JSON.stringify(ref(api.accessLogGroup)));
  const keyArn = { 'Fn::GetAtt': [stack.getLogicalId(built.logs.key.node.defaultChild as never), 'Arn'] };
  template.hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: keyArn, RetentionInDays: 90, LogGroupName: Match.absent() });
  // The execution-log group API Gateway would otherwise create unencrypted, under its own name.
  template.hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: keyArn, LogGroupName: { 'Fn::Join': ['', ['API-Gateway-Execution-Logs_', ref(api.api), '/v1']] } });
});

test("usage per caller is metered from the access log: a saved Logs Insights query counts each principal's requests per day", () => {
  template.hasResourceProperties('AWS::Logs::QueryDefinition', {
    Name: 'test-views-api/requests-per-caller-per-day',
    LogGroupNames: [ref(api.accessLogGroup)],
    QueryString: Match.stringLikeRegexp(`stats count\\(\\*\\) as requests by ${Object.keys(ACCESS_LOG_FIELDS).find((f) => ACCESS_LOG_FIELDS[f] === '$context.identity.userArn')}, bin\\(1d\\)`),
  });
});

test("API Gateway's own refusals answer in the API's JSON error shape", () => {
  for (const type of ['BAD_REQUEST_PARAMETERS', 'MISSING_AUTHENTICATION_TOKEN', 'ACCESS_DENIED', 'INVALID_SIGNATURE', 'THROTTLED', 'DEFAULT_4XX', 'DEFAULT_5XX']) {
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: type,
      ResponseTemplates: { 'application/json': Match.stringLikeRegexp('^\\{"error": "\\w+", "message": \\$context.error.messageString, "requestId": "\\$context.requestId"\\}$') },
    });
  }
});

test("the monitoring row alarms on the stage's 5xx and p99 latency", () => {
  const section = viewsApiSignals(api);
  const dims = { ApiName: 'test-views-api', Stage: 'v1' };
  expect(section.signals.map((s) => [s.name, (s.metric as Json).metricName, (s.metric as Json).statistic, (s.metric as Json).dimensions])).toEqual([
    ['api-5xx', '5XXError', 'Sum', dims],
    ['api-latency-p99', 'Latency', 'p99', dims],
  ]);
});
