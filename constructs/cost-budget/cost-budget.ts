import * as budgets from 'aws-cdk-lib/aws-budgets';
import { Construct } from 'constructs';

export interface CostBudgetProps {
  readonly budgetName: string;
  readonly monthlyLimitUsd: number;
  /** SNS topic (in any region) that gets the alerts; its policy must let budgets.amazonaws.com publish. */
  readonly alertsTopicArn: string;
  /** @default 80 */
  readonly actualPercent?: number;
  /** @default 100 */
  readonly forecastPercent?: number;
}

/** A monthly cost budget of the account, alerting on actual spend and on the month's forecast. */
export class CostBudget extends Construct {
  constructor(scope: Construct, id: string, props: CostBudgetProps) {
    super(scope, id);
    const subscribers = [{ subscriptionType: 'SNS', address: props.alertsTopicArn }];
    const alert = (notificationType: 'ACTUAL' | 'FORECASTED', threshold: number) => ({
      notification: { notificationType, comparisonOperator: 'GREATER_THAN', threshold, thresholdType: 'PERCENTAGE' },
      subscribers,
    });
    new budgets.CfnBudget(this, 'Budget', {
      budget: { budgetName: props.budgetName, budgetType: 'COST', timeUnit: 'MONTHLY', budgetLimit: { amount: props.monthlyLimitUsd, unit: 'USD' } },
      notificationsWithSubscribers: [alert('ACTUAL', props.actualPercent ?? 80), alert('FORECASTED', props.forecastPercent ?? 100)],
    });
  }
}
