/** The consumer's environment variables, named once for the construct that sets them and the handler that reads them. */
export const CONSUMER_ENVIRONMENT = {
  tableName: 'VIEWS_TABLE_NAME',
  deadLetterQueueUrl: 'DEAD_LETTER_QUEUE_URL',
  minuteTtlSeconds: 'MINUTE_TTL_SECONDS',
  maxEventAheadSeconds: 'MAX_EVENT_AHEAD_SECONDS',
  maxEventAgeSeconds: 'MAX_EVENT_AGE_SECONDS',
} as const;

export interface ConsumerSettings {
  readonly tableName: string;
  readonly deadLetterQueueUrl: string;
  readonly minuteTtlSeconds: number;
  /** Events whose event_time is further ahead of the consumer's clock go to the dead-letter queue. */
  readonly maxEventAheadSeconds: number;
  /** Events whose event_time is further behind the consumer's clock go to the dead-letter queue. */
  readonly maxEventAgeSeconds: number;
}

/** Reads the settings, naming every variable that is missing or malformed. */
export function settingsFromEnvironment(env: Readonly<Record<string, string | undefined>>): ConsumerSettings {
  const problems: string[] = [];
  const text = (name: string) => {
    const value = env[name]?.trim();
    if (!value) problems.push(`${name} is not set`);
    return value ?? '';
  };
  const seconds = (name: string) => {
    const value = text(name);
    const parsed = Number(value);
    if (value && !(Number.isInteger(parsed) && parsed > 0)) problems.push(`${name} is ${JSON.stringify(value)}, not a whole number of seconds above 0`);
    return parsed;
  };
  const tableName = text(CONSUMER_ENVIRONMENT.tableName);
  const deadLetterQueueUrl = text(CONSUMER_ENVIRONMENT.deadLetterQueueUrl);
  const minuteTtlSeconds = seconds(CONSUMER_ENVIRONMENT.minuteTtlSeconds);
  const maxEventAheadSeconds = seconds(CONSUMER_ENVIRONMENT.maxEventAheadSeconds);
  const maxEventAgeSeconds = seconds(CONSUMER_ENVIRONMENT.maxEventAgeSeconds);
  if (problems.length > 0) throw new Error(`The real-time views consumer is misconfigured: ${problems.join('; ')}`);
  return { tableName, deadLetterQueueUrl, minuteTtlSeconds, maxEventAheadSeconds, maxEventAgeSeconds };
}
