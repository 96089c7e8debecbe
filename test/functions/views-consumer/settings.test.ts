import { CONSUMER_ENVIRONMENT, settingsFromEnvironment } from '../../../functions/views-consumer/settings';

test('reads the settings the construct sets', () => {
  expect(
    settingsFromEnvironment({
      [CONSUMER_ENVIRONMENT.tableName]: 'views',
      [CONSUMER_ENVIRONMENT.deadLetterQueueUrl]: 'https://sqs/dlq',
      [CONSUMER_ENVIRONMENT.minuteTtlSeconds]: '604800',
      [CONSUMER_ENVIRONMENT.maxEventAheadSeconds]: '900',
      [CONSUMER_ENVIRONMENT.maxEventAgeSeconds]: '86400',
    }),
  ).toEqual({ tableName: 'views', deadLetterQueueUrl: 'https://sqs/dlq', minuteTtlSeconds: 604800, maxEventAheadSeconds: 900, maxEventAgeSeconds: 86400 });
});

test('names every missing or malformed variable at once', () => {
  expect(() => settingsFromEnvironment({ [CONSUMER_ENVIRONMENT.minuteTtlSeconds]: 'a week', [CONSUMER_ENVIRONMENT.maxEventAgeSeconds]: '-5' })).toThrow(
    'The real-time views consumer is misconfigured: VIEWS_TABLE_NAME is not set; DEAD_LETTER_QUEUE_URL is not set; MINUTE_TTL_SECONDS is "a week", not a whole number of seconds above 0; MAX_EVENT_AHEAD_SECONDS is not set; MAX_EVENT_AGE_SECONDS is "-5", not a whole number of seconds above 0',
  );
});
