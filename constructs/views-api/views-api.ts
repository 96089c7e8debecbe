import { RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { type Endpoint, INTEGRATION_RESPONSES, MODELS, type ModelName, viewsApiEndpoints } from './api-definition';
import { DEFAULT_LIMITS, type Throttle, type ViewsApiProps } from './views-api-props';

const JSON_TYPE = 'application/json';
export const DEFAULT_STAGE_THROTTLE: Throttle = { rateLimit: 50, burstLimit: 100 };
export const DEFAULT_MINUTES_THROTTLE: Throttle = { rateLimit: 20, burstLimit: 40 };

/** The fields of each access-log line (JSON): who called what, the outcome, and DynamoDB's part in it. */
export const ACCESS_LOG_FIELDS: Readonly<Record<string, string>> = {
  requestId: '$context.requestId',
  requestTime: '$context.requestTime',
  caller: '$context.identity.caller',
  userArn: '$context.identity.userArn',
  sourceIp: '$context.identity.sourceIp',
  vpceId: '$context.identity.vpceId',
  httpMethod: '$context.httpMethod',
  resourcePath: '$context.resourcePath',
  path: '$context.path',
  status: '$context.status',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationStatus: '$context.integration.status',
  integrationLatency: '$context.integration.latency',
  integrationError: '$context.integration.error',
  error: '$context.error.message',
  xrayTraceId: '$context.xrayTraceId',
};

/**
 * A read-only REST API over the real-time views: API Gateway calls DynamoDB itself (GetItem,
 * Query) through mapping templates, so there is no function to run, scale or cold-start.
 *
 * The API is PRIVATE: it answers only through the `execute-api` interface endpoints it is given
 * (reached from the VPC, and over the Client VPN). Callers sign with SigV4 (IAM authorization on
 * every method), and the resource policy admits only this account's principals, only through
 * those endpoints, and denies everything else explicitly. Parameters are
 * validated twice: presence by API Gateway's validator, format and range by the templates
 * (mapping-templates.ts). The stage is throttled, traced by X-Ray, and access-logged as JSON to a
 * KMS-encrypted log group.
 */
export class ViewsApi extends Construct {
  readonly api: apigateway.RestApi;
  readonly stage: apigateway.Stage;
  /** The stage's name as a literal (the Stage's own is a reference), for metric dimensions in other stacks. */
  readonly stageName: string;
  readonly integrationRole: iam.Role;
  readonly accessLogGroup: logs.LogGroup;
  /** Logs Insights: requests per calling principal per day, from the access log. */
  readonly usageQuery: logs.QueryDefinition;
  readonly endpoints: readonly Endpoint[];

  constructor(scope: Construct, id: string, props: ViewsApiProps) {
    super(scope, id);
    if (props.allowedVpcEndpoints.length === 0) {
      throw new Error(`ViewsApi ${this.node.path}: allowedVpcEndpoints is empty; a private API needs at least one execute-api interface endpoint to be reached through (add 'execute-api' to the network's interfaceEndpoints and pass that endpoint)`);
    }
    const { table, tableKey } = props;
    const { account, region } = Stack.of(this);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const retention = props.logRetention ?? logs.RetentionDays.THREE_MONTHS;
    const stageName = props.stageName ?? 'v1';
    this.stageName = stageName;
    const limits = props.limits ?? DEFAULT_LIMITS;
    const stageThrottle = props.stageThrottle ?? DEFAULT_STAGE_THROTTLE;
    const minutesThrottle = props.minutesThrottle ?? DEFAULT_MINUTES_THROTTLE;
    this.endpoints = viewsApiEndpoints(limits);

    this.accessLogGroup = props.logs.logGroup(this, 'AccessLogs', retention, removalPolicy);
    const policy = this.resourcePolicy(account, props.allowedVpcEndpoints);

    const methodOptions: Record<string, apigateway.MethodDeploymentOptions> = {
      '/*/*': { throttlingRateLimit: stageThrottle.rateLimit, throttlingBurstLimit: stageThrottle.burstLimit, loggingLevel: apigateway.MethodLoggingLevel.ERROR, dataTraceEnabled: false, metricsEnabled: false },
    };
    for (const endpoint of this.endpoints.filter((e) => e.ownThrottle)) {
      methodOptions[`${endpoint.path}/${endpoint.method}`] = { throttlingRateLimit: minutesThrottle.rateLimit, throttlingBurstLimit: minutesThrottle.burstLimit };
    }

    this.api = new apigateway.RestApi(this, 'Api', {
      restApiName: props.apiName,
      description: 'Read-only views of the event stream: user totals and per-minute counters from DynamoDB',
      // Associating the endpoints also gives each a public alias, <api id>-<vpce id>.execute-api...,
      // that resolves to the endpoint without private DNS.
      endpointConfiguration: { types: [apigateway.EndpointType.PRIVATE], vpcEndpoints: [...props.allowedVpcEndpoints] },
      policy,
      // A private API is reached by its default name (through the endpoint's private DNS).
      disableExecuteApiEndpoint: false,
      // Access and execution logs need the account's API Gateway logging role.
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN,
      deployOptions: {
        stageName,
        tracingEnabled: true,
        accessLogDestination: new apigateway.LogGroupLogDestination(this.accessLogGroup),
        accessLogFormat: apigateway.AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
        loggingLevel: apigateway.MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        throttlingRateLimit: stageThrottle.rateLimit,
        throttlingBurstLimit: stageThrottle.burstLimit,
        methodOptions,
      },
      defaultMethodOptions: { authorizationType: apigateway.AuthorizationType.IAM },
    });
    this.stage = this.api.deploymentStage;
    // Usage per caller, per day: callers are IAM principals, not API keys, so the access log is the
    // meter (docs/views-api.md, "Throttling and usage limits").
    this.usageQuery = new logs.QueryDefinition(this, 'RequestsPerCaller', {
      queryDefinitionName: `${props.apiName}/requests-per-caller-per-day`,
      logGroups: [this.accessLogGroup],
      queryString: new logs.QueryString({ statsStatements: ['count(*) as requests by userArn, bin(1d) as day'], sort: 'requests desc' }),
    });
    // API Gateway creates the execution-log group on first use, unencrypted and kept forever;
    // creating it first, under the name API Gateway uses, encrypts it and bounds its retention.
    const executionLogs = new logs.LogGroup(this, 'ExecutionLogs', {
      logGroupName: `API-Gateway-Execution-Logs_${this.api.restApiId}/${stageName}`,
      encryptionKey: props.logs.key,
      retention,
      removalPolicy,
    });
    this.stage.node.addDependency(executionLogs);

    this.integrationRole = new iam.Role(this, 'IntegrationRole', {
      assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': account } } }),
      description: `Views API of ${this.node.path}: read the views table (GetItem, Query), nothing else`,
    });
    this.integrationRole.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['dynamodb:GetItem', 'dynamodb:Query'], resources: [table.tableArn] }));
    this.integrationRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['kms:Decrypt'],
        resources: [tableKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${region}.amazonaws.com` } },
      }),
    );
    Validations.of(this.integrationRole).acknowledge({
      id: 'NIST.800.53.R5-IAMNoInlinePolicy',
      reason: "The integration role's inline policy (GetItem and Query on the views table, Decrypt via DynamoDB) exists for this role alone and lives and dies with it, so it cannot be attached elsewhere by mistake.",
    });

    const models = new Map<ModelName, apigateway.Model>();
    const model = (name: ModelName) => {
      let m = models.get(name);
      if (!m) {
        m = this.api.addModel(`${name}Model`, { modelName: name, contentType: JSON_TYPE, schema: { schema: apigateway.JsonSchemaVersion.DRAFT4, ...(MODELS[name] as apigateway.JsonSchema) } });
        models.set(name, m);
      }
      return m;
    };
    // GETs carry no body; body validation is on so a body-taking method added later is checked too.
    const validator = this.api.addRequestValidator('ParameterValidator', { requestValidatorName: 'parameters-and-body', validateRequestParameters: true, validateRequestBody: true });
    const settings = { tableName: table.tableName, limits };
    for (const endpoint of this.endpoints) {
      const templates = endpoint.templates(settings);
      const integration = new apigateway.AwsIntegration({
        service: 'dynamodb',
        action: endpoint.action,
        options: {
          credentialsRole: this.integrationRole,
          passthroughBehavior: apigateway.PassthroughBehavior.NEVER,
          requestTemplates: { [JSON_TYPE]: templates.request },
          integrationResponses: INTEGRATION_RESPONSES.map((r) => ({ ...r, responseTemplates: { [JSON_TYPE]: templates.response } })),
        },
      });
      this.api.root.resourceForPath(endpoint.path).addMethod(endpoint.method, integration, {
        operationName: endpoint.id,
        requestValidator: validator,
        requestParameters: Object.fromEntries(endpoint.parameters.map((p) => [`method.request.${p.in === 'query' ? 'querystring' : 'path'}.${p.name}`, p.required])),
        methodResponses: Object.entries(endpoint.responses).map(([status, response]) => ({ statusCode: status, responseModels: { [JSON_TYPE]: model(response.model) } })),
      });
    }
    this.jsonGatewayResponses();

    const acknowledgements: [string, string][] = [
      ['AwsSolutions-APIG3', "No WAF: the API is private (reachable only through the platform VPC's execute-api endpoint, from the VPC or the Client VPN) and IAM-authorized, and its resource policy denies other accounts and other paths, so no internet traffic reaches it and the stage is throttled; a web ACL (from $5/month plus per-request fees) would guard a surface only signed principals of this account inside the VPC can reach."],
      ['NIST.800.53.R5-APIGWAssociatedWithWAF', 'No WAF: the API is private to the VPC endpoint, every method requires SigV4 from a principal of this account (resource policy), and stage throttling bounds what a compromised principal can do; WAF rules would add cost and no control over this read-only, account-private API.'],
      ['AwsSolutions-COG4', 'Callers are engineers and services with IAM identities (SSO roles, service roles), which SigV4 authenticates and IAM authorizes; a Cognito user pool would add a second identity store for the same people.'],
      ['NIST.800.53.R5-APIGWCacheEnabledAndEncrypted', 'No cache: the views are real-time, and a cache would serve counters stale by its TTL while billing a cache instance around the clock; DynamoDB answers these single-item and single-partition reads in milliseconds.'],
      ['NIST.800.53.R5-APIGWSSLEnabled', 'The only backend is DynamoDB through an AWS service integration, signed by API Gateway over TLS; a client certificate authenticates API Gateway to HTTP backends, and there is none.'],
    ];
    for (const [ackId, reason] of acknowledgements) Validations.of(this.api).acknowledge({ id: ackId, reason });
    const cloudWatchRole = this.api.node.tryFindChild('CloudWatchRole');
    if (cloudWatchRole) {
      // RestApi trusts API Gateway of any account with its logging role; only this account's may assume it.
      (cloudWatchRole.node.defaultChild as iam.CfnRole).addPropertyOverride('AssumeRolePolicyDocument.Statement.0.Condition', { StringEquals: { 'aws:SourceAccount': account } });
      Validations.of(cloudWatchRole).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        reason: "AWS's managed policy for the account-wide API Gateway logging role is what API Gateway documents for it; it only lets API Gateway write its own log groups, and AWS keeps it current with the service.",
      });
    }
  }

  /** The invoke URL of the stage. */
  get url(): string {
    return this.api.url;
  }

  /** Let a principal call every method of this API (execute-api:Invoke). */
  grantInvoke(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions: ['execute-api:Invoke'], resourceArns: [this.api.arnForExecuteApi('GET', '/*', this.stageName)] });
  }

  /**
   * Allow this account's principals through the endpoints; deny every call that arrives any other
   * way or from any other account, so a later allow cannot open either.
   */
  private resourcePolicy(account: string, endpoints: readonly ec2.IInterfaceVpcEndpoint[]): iam.PolicyDocument {
    const endpointIds = endpoints.map((e) => e.vpcEndpointId);
    const invoke = { actions: ['execute-api:Invoke'], resources: ['execute-api:/*'] };
    return new iam.PolicyDocument({
      statements: [
        new iam.PolicyStatement({
          sid: 'SignedCallersOfThisAccountThroughTheVpcEndpoints',
          principals: [new iam.AccountPrincipal(account)],
          ...invoke,
          conditions: { StringEquals: { 'aws:SourceVpce': endpointIds } },
        }),
        new iam.PolicyStatement({
          sid: 'OnlyThroughTheVpcEndpoints',
          effect: iam.Effect.DENY,
          principals: [new iam.AnyPrincipal()],
          ...invoke,
          conditions: { StringNotEquals: { 'aws:SourceVpce': endpointIds } },
        }),
        new iam.PolicyStatement({
          sid: 'NoOtherAccount',
          effect: iam.Effect.DENY,
          principals: [new iam.AnyPrincipal()],
          ...invoke,
          conditions: { StringNotEquals: { 'aws:PrincipalAccount': account } },
        }),
      ],
    });
  }

  /** API Gateway's own refusals (missing parameter, unsigned, throttled) in the API's JSON error shape. */
  private jsonGatewayResponses(): void {
    const body = (code: string) => ({ [JSON_TYPE]: `{"error": "${code}", "message": $context.error.messageString, "requestId": "$context.requestId"}` });
    const responses: [string, apigateway.ResponseType, string][] = [
      ['BadRequestParameters', apigateway.ResponseType.BAD_REQUEST_PARAMETERS, 'BadRequest'],
      ['MissingAuthenticationToken', apigateway.ResponseType.MISSING_AUTHENTICATION_TOKEN, 'Forbidden'],
      ['AccessDenied', apigateway.ResponseType.ACCESS_DENIED, 'Forbidden'],
      ['InvalidSignature', apigateway.ResponseType.INVALID_SIGNATURE, 'Forbidden'],
      ['ExpiredToken', apigateway.ResponseType.EXPIRED_TOKEN, 'Forbidden'],
      ['Throttled', apigateway.ResponseType.THROTTLED, 'Throttled'],
      ['Default4xx', apigateway.ResponseType.DEFAULT_4XX, 'BadRequest'],
      ['Default5xx', apigateway.ResponseType.DEFAULT_5XX, 'InternalError'],
    ];
    for (const [responseId, type, code] of responses) this.api.addGatewayResponse(responseId, { type, templates: body(code) });
  }
}
