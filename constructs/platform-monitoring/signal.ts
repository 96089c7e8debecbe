import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';

/**
 * One failure signal: a metric, when it means trouble, and what to tell the person paged.
 * The monitoring construct turns each into an alarm (to the alerts topic) and a dashboard graph.
 */
export interface Signal {
  /** Short, unique within its section; becomes part of the alarm name. */
  readonly name: string;
  readonly metric: cloudwatch.IMetric;
  readonly threshold: number;
  /** @default GREATER_THAN_THRESHOLD */
  readonly comparison?: cloudwatch.ComparisonOperator;
  /** @default 1 */
  readonly evaluationPeriods?: number;
  /** What is wrong and where to look first. */
  readonly description: string;
  /** @default NOT_BREACHING: no data (no traffic, no cluster) is not a failure */
  readonly treatMissingData?: cloudwatch.TreatMissingData;
}

/** A dashboard row: a component of the platform, its signals, and metrics only worth watching. */
export interface SignalSection {
  readonly title: string;
  readonly signals: readonly Signal[];
  /** Graphs without alarms (volumes, durations) that give the alarms context. */
  readonly context?: readonly cloudwatch.IMetric[];
  /** Alarms another construct already owns (and routes), shown in this row too. */
  readonly existingAlarms?: readonly cloudwatch.IAlarm[];
}
