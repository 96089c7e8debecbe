/**
 * One environment's synthesized templates, resolved into what IAM will see at run time: every
 * intrinsic (`Ref`, `Fn::GetAtt`, `Fn::Join`, `Fn::Sub`, `Fn::ImportValue`, ...) replaced by the
 * physical name or ARN the resource will have. Names CloudFormation generates are stood in for by
 * `<stack>-<logical id>`, which is all IAM evaluation needs: every reference to a resource resolves
 * to the same value, in its own template and in the templates that import it.
 */

export interface StackTemplate {
  /** The CloudFormation stack name, e.g. `Dev-Orchestration`. */
  readonly stackName: string;
  readonly account: string;
  readonly region: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- template JSON is untyped
  readonly template: any;
}

export interface ResolvedResource {
  readonly stack: StackTemplate;
  readonly logicalId: string;
  readonly type: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- template JSON is untyped
  readonly properties: any;
  /** What `Ref` returns. */
  readonly ref: string;
  /** The resource's ARN, where it has one. */
  readonly arn?: string;
  /** Other `Fn::GetAtt` attributes, by name. */
  readonly attributes?: Readonly<Record<string, string>>;
}

const PARTITION = 'aws';

/** How `Ref` and the ARN of each resource type look, from its (resolved) properties. */
function physicalIdentity(type: string, logicalId: string, stack: StackTemplate, props: Record<string, unknown>): { ref: string; arn?: string; attributes?: Record<string, string> } {
  const { account, region } = stack;
  const generated = `${stack.stackName}-${logicalId}`;
  const named = (key: string) => (typeof props[key] === 'string' ? (props[key] as string) : generated);
  switch (type) {
    case 'AWS::IAM::Role': {
      const name = named('RoleName');
      return { ref: name, arn: `arn:${PARTITION}:iam::${account}:role/${name}`, attributes: { RoleId: `AROA${logicalId}` } };
    }
    case 'AWS::IAM::InstanceProfile': {
      const name = named('InstanceProfileName');
      return { ref: name, arn: `arn:${PARTITION}:iam::${account}:instance-profile/${name}` };
    }
    case 'AWS::IAM::ManagedPolicy': {
      const name = named('ManagedPolicyName');
      const arn = `arn:${PARTITION}:iam::${account}:policy/${name}`;
      return { ref: arn, arn };
    }
    case 'AWS::IAM::OIDCProvider': {
      const arn = `arn:${PARTITION}:iam::${account}:oidc-provider/token.actions.githubusercontent.com`;
      return { ref: arn, arn };
    }
    case 'AWS::KMS::Key': {
      const id = `key-${logicalId}`;
      return { ref: id, arn: `arn:${PARTITION}:kms:${region}:${account}:key/${id}`, attributes: { KeyId: id } };
    }
    case 'AWS::KMS::Alias':
      return { ref: named('AliasName') };
    case 'AWS::S3::Bucket': {
      const name = named('BucketName');
      return { ref: name, arn: `arn:${PARTITION}:s3:::${name}`, attributes: { DomainName: `${name}.s3.amazonaws.com`, RegionalDomainName: `${name}.s3.${region}.amazonaws.com` } };
    }
    case 'AWS::SNS::Topic': {
      const name = named('TopicName');
      const arn = `arn:${PARTITION}:sns:${region}:${account}:${name}`;
      return { ref: arn, arn, attributes: { TopicArn: arn, TopicName: name } };
    }
    case 'AWS::SQS::Queue': {
      const name = named('QueueName');
      return { ref: `https://sqs.${region}.amazonaws.com/${account}/${name}`, arn: `arn:${PARTITION}:sqs:${region}:${account}:${name}`, attributes: { QueueName: name, QueueUrl: `https://sqs.${region}.amazonaws.com/${account}/${name}` } };
    }
    case 'AWS::DynamoDB::GlobalTable':
    case 'AWS::DynamoDB::Table': {
      const name = named('TableName');
      return { ref: name, arn: `arn:${PARTITION}:dynamodb:${region}:${account}:table/${name}`, attributes: { StreamArn: `arn:${PARTITION}:dynamodb:${region}:${account}:table/${name}/stream/x` } };
    }
    case 'AWS::Kinesis::Stream': {
      const name = named('Name');
      return { ref: name, arn: `arn:${PARTITION}:kinesis:${region}:${account}:stream/${name}` };
    }
    case 'AWS::KinesisFirehose::DeliveryStream': {
      const name = named('DeliveryStreamName');
      return { ref: name, arn: `arn:${PARTITION}:firehose:${region}:${account}:deliverystream/${name}` };
    }
    case 'AWS::Logs::LogGroup': {
      const name = named('LogGroupName');
      return { ref: name, arn: `arn:${PARTITION}:logs:${region}:${account}:log-group:${name}:*` };
    }
    case 'AWS::Lambda::Function': {
      const name = named('FunctionName');
      return { ref: name, arn: `arn:${PARTITION}:lambda:${region}:${account}:function:${name}` };
    }
    case 'AWS::SecretsManager::Secret': {
      const arn = `arn:${PARTITION}:secretsmanager:${region}:${account}:secret:${named('Name')}-AbCdEf`;
      return { ref: arn, arn };
    }
    case 'AWS::MWAA::Environment': {
      const name = named('Name');
      return { ref: name, arn: `arn:${PARTITION}:airflow:${region}:${account}:environment/${name}`, attributes: { WebserverUrl: `${name}.airflow.${region}.on.aws` } };
    }
    case 'AWS::Glue::Database':
      return { ref: typeof (props.DatabaseInput as Record<string, unknown> | undefined)?.Name === 'string' ? ((props.DatabaseInput as Record<string, string>).Name) : generated };
    case 'AWS::Glue::Table':
      return { ref: typeof (props.TableInput as Record<string, unknown> | undefined)?.Name === 'string' ? ((props.TableInput as Record<string, string>).Name) : generated };
    case 'AWS::EMR::SecurityConfiguration':
      return { ref: named('Name') };
    case 'AWS::Athena::WorkGroup':
      return { ref: named('Name') };
    case 'AWS::ApiGateway::RestApi':
      return { ref: `api${logicalId.toLowerCase().slice(0, 10)}`, attributes: { RootResourceId: `root${logicalId}` } };
    case 'AWS::EC2::ClientVpnEndpoint':
      return { ref: `cvpn-endpoint-${logicalId.toLowerCase()}` };
    default:
      return { ref: generated };
  }
}

/** Every template of one environment, resolved. */
export class TemplateWorld {
  readonly resources: ResolvedResource[] = [];
  private readonly byStack = new Map<string, Map<string, ResolvedResource>>();
  private readonly exports = new Map<string, { stack: StackTemplate; value: unknown }>();

  constructor(readonly stacks: readonly StackTemplate[]) {
    for (const stack of stacks) {
      for (const output of Object.values<{ Value: unknown; Export?: { Name?: unknown } }>(stack.template.Outputs ?? {})) {
        if (typeof output.Export?.Name === 'string') this.exports.set(output.Export.Name, { stack, value: output.Value });
      }
    }
    // Identities first (from literal name properties), so references between resources resolve in any order.
    for (const stack of stacks) {
      const resources = new Map<string, ResolvedResource>();
      for (const [logicalId, resource] of Object.entries<{ Type: string; Properties?: Record<string, unknown> }>(stack.template.Resources ?? {})) {
        const literal = Object.fromEntries(Object.entries(resource.Properties ?? {}).filter(([, v]) => typeof v === 'string' || (typeof v === 'object' && v !== null && !isIntrinsic(v))));
        const identity = physicalIdentity(resource.Type, logicalId, stack, literal);
        const resolved = { stack, logicalId, type: resource.Type, properties: resource.Properties ?? {}, ...identity };
        resources.set(logicalId, resolved);
      }
      this.byStack.set(stack.stackName, resources);
    }
    for (const stack of stacks) {
      for (const resource of this.byStack.get(stack.stackName)!.values()) {
        const properties = this.resolve(stack, resource.properties);
        const identity = physicalIdentity(resource.type, resource.logicalId, stack, properties as Record<string, unknown>);
        const full: ResolvedResource = { ...resource, properties, ...identity };
        this.byStack.get(stack.stackName)!.set(resource.logicalId, full);
        this.resources.push(full);
      }
    }
  }

  /** Resources of a type, optionally in stacks whose name ends with `stackSuffix` (e.g. `-Orchestration`). */
  ofType(type: string, stackSuffix?: string): ResolvedResource[] {
    return this.resources.filter((r) => r.type === type && (stackSuffix === undefined || r.stack.stackName.endsWith(stackSuffix)));
  }

  /** The one resource of a type whose logical id matches a pattern; throws when none or several match. */
  find(type: string, logicalId: RegExp, stackSuffix?: string): ResolvedResource {
    const found = this.ofType(type, stackSuffix).filter((r) => logicalId.test(r.logicalId));
    if (found.length !== 1) throw new Error(`expected one ${type} matching ${logicalId}${stackSuffix ? ` in *${stackSuffix}` : ''}, found ${found.length}: ${found.map((r) => r.logicalId).join(', ')}`);
    return found[0];
  }

  /** The names of the aliases that point at a KMS key. */
  aliasesOf(key: ResolvedResource): string[] {
    return this.ofType('AWS::KMS::Alias')
      .filter((a) => a.properties.TargetKeyId === key.ref || a.properties.TargetKeyId === key.arn)
      .map((a) => a.properties.AliasName as string);
  }

  /** The KMS key an alias points at. */
  keyAliased(alias: string): ResolvedResource | undefined {
    return this.ofType('AWS::KMS::Key').find((key) => this.aliasesOf(key).includes(alias));
  }

  byArn(arn: string): ResolvedResource | undefined {
    return this.resources.find((r) => r.arn === arn || r.ref === arn);
  }

  /** Replace every intrinsic in `value` with what it resolves to in `stack`. */
  resolve(stack: StackTemplate, value: unknown): unknown {
    if (Array.isArray(value)) return value.filter((v) => !isNoValue(v)).map((v) => this.resolve(stack, v));
    if (typeof value !== 'object' || value === null) return value;
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 1 && isIntrinsicKey(entries[0][0])) return this.intrinsic(stack, entries[0][0], entries[0][1]);
    return Object.fromEntries(entries.filter(([, v]) => !isNoValue(v)).map(([k, v]) => [k, this.resolve(stack, v)]));
  }

  private intrinsic(stack: StackTemplate, fn: string, args: unknown): unknown {
    switch (fn) {
      case 'Ref':
        return this.ref(stack, args as string);
      case 'Fn::GetAtt': {
        const [logicalId, attribute] = Array.isArray(args) ? (args as string[]) : String(args).split('.');
        return this.getAtt(stack, logicalId, attribute);
      }
      case 'Fn::Join': {
        const [separator, parts] = args as [string, unknown[]];
        return (this.resolve(stack, parts) as unknown[]).map(String).join(separator);
      }
      case 'Fn::Select': {
        const [index, list] = args as [unknown, unknown];
        return (this.resolve(stack, list) as unknown[])[Number(this.resolve(stack, index))];
      }
      case 'Fn::Split': {
        const [separator, text] = args as [string, unknown];
        return String(this.resolve(stack, text)).split(separator);
      }
      case 'Fn::Sub': {
        const [text, variables] = typeof args === 'string' ? [args, {}] : (args as [string, Record<string, unknown>]);
        const bound = this.resolve(stack, variables) as Record<string, unknown>;
        return text.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
          if (name in bound) return String(bound[name]);
          if (name.includes('.')) {
            const [logicalId, attribute] = name.split('.');
            return String(this.getAtt(stack, logicalId, attribute));
          }
          return String(this.ref(stack, name));
        });
      }
      case 'Fn::ImportValue': {
        const name = this.resolve(stack, args) as string;
        const exported = this.exports.get(name);
        if (!exported) throw new Error(`${stack.stackName}: no stack exports ${name}`);
        return this.resolve(exported.stack, exported.value);
      }
      case 'Fn::GetStackOutput': {
        // CDK's cross-stack (and cross-region) reference: another stack's output, by name.
        const { StackName, OutputName } = this.resolve(stack, args) as { StackName: string; OutputName: string };
        const producer = this.stacks.find((s) => s.stackName === StackName);
        const output = producer?.template.Outputs?.[OutputName];
        if (!producer || !output) throw new Error(`${stack.stackName}: no output ${OutputName} in ${StackName}`);
        return this.resolve(producer, output.Value);
      }
      case 'Fn::GetAZs':
        return [];
      case 'Fn::If':
      case 'Condition':
        throw new Error(`${stack.stackName}: conditions are not resolved (${fn})`);
      default:
        throw new Error(`${stack.stackName}: unsupported intrinsic ${fn}`);
    }
  }

  private ref(stack: StackTemplate, name: string): string {
    const pseudo: Record<string, string> = {
      'AWS::Partition': PARTITION,
      'AWS::Region': stack.region,
      'AWS::AccountId': stack.account,
      'AWS::URLSuffix': 'amazonaws.com',
      'AWS::StackName': stack.stackName,
      'AWS::StackId': `arn:${PARTITION}:cloudformation:${stack.region}:${stack.account}:stack/${stack.stackName}/id`,
    };
    if (name in pseudo) return pseudo[name];
    const parameters = stack.template.Parameters ?? {};
    if (name in parameters) return String(parameters[name].Default ?? `parameter:${name}`);
    const resource = this.byStack.get(stack.stackName)?.get(name);
    if (!resource) throw new Error(`${stack.stackName}: Ref to unknown ${name}`);
    return resource.ref;
  }

  private getAtt(stack: StackTemplate, logicalId: string, attribute: string): string {
    const resource = this.byStack.get(stack.stackName)?.get(logicalId);
    if (!resource) throw new Error(`${stack.stackName}: GetAtt of unknown ${logicalId}`);
    if (attribute === 'Arn') return resource.arn ?? `arn:${PARTITION}:unknown:${stack.region}:${stack.account}:${resource.ref}`;
    return resource.attributes?.[attribute] ?? `${resource.ref}.${attribute}`;
  }
}

const INTRINSICS = new Set(['Ref', 'Fn::GetAtt', 'Fn::GetStackOutput', 'Fn::Join', 'Fn::Select', 'Fn::Split', 'Fn::Sub', 'Fn::ImportValue', 'Fn::GetAZs', 'Fn::If', 'Condition']);
const isIntrinsicKey = (key: string) => INTRINSICS.has(key);
const isIntrinsic = (value: object) => !Array.isArray(value) && Object.keys(value).length === 1 && isIntrinsicKey(Object.keys(value)[0]);
const isNoValue = (value: unknown) => typeof value === 'object' && value !== null && (value as Record<string, unknown>).Ref === 'AWS::NoValue';
