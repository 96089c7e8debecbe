/** The consumer's environment variables, named once for the construct that sets them and the handler that reads them. */
export const CONSUMER_ENVIRONMENT = {
  tableName: 'VIEWS_TABLE_NAME',
  deadLetterQueueUrl: 'DEAD_LETTER_QUEUE_URL',
  minuteTtlSeconds: 'MINUTE_TTL_SECONDS',
} as const;

export interface ConsumerSettings {
  readonly tableName: string;
  readonly deadLetterQueueUrl: string;
  readonly minuteTtlSeconds: number;
}

/** Reads the settings, naming every variable that is missing or malformed. */
export function settingsFromEnvironment(env: Readonly<Record<string, string | undefined>>): ConsumerSettings {
  const problems: string[] = [];
  const text = (name: string) => {
    const value = env[name]?.trim();
    if (!value) problems.push(`${name} is not set`);
    return value ?? '';
  };
  const tableName = text(CONSUMER_ENVIRONMENT.tableName);
  const deadLetterQueueUrl = text(CONSUMER_ENVIRONMENT.deadLetterQueueUrl);
  const ttl = text(CONSUMER_ENVIRONMENT.minuteTtlSeconds);
  const minuteTtlSeconds = Number(ttl);
  if (ttl && !(Number.isInteger(minuteTtlSeconds) && minuteTtlSeconds > 0)) problems.push(`${CONSUMER_ENVIRONMENT.minuteTtlSeconds} is ${JSON.stringify(ttl)}, not a whole number of seconds above 0`);
  if (problems.length > 0) throw new Error(`The real-time views consumer is misconfigured: ${problems.join('; ')}`);
  return { tableName, deadLetterQueueUrl, minuteTtlSeconds };
}
