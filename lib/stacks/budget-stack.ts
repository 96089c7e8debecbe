import { Construct } from 'constructs';
import { CostBudget } from '../../constructs/cost-budget';
import { ResourceNames } from '../naming';
import { PlatformStack, PlatformStackProps } from '../platform-stack';

/** CloudFormation manages AWS Budgets only in us-east-1, so the budget has a stack of its own there. */
export const BUDGETS_REGION = 'us-east-1';

/** The environment account's monthly cost budget; alerts go to the alerts topic in the platform's region. */
export class BudgetStack extends PlatformStack {
  constructor(scope: Construct, id: string, props: PlatformStackProps) {
    super(scope, id, { ...props, region: BUDGETS_REGION });
    const names = new ResourceNames(this.config);
    new CostBudget(this, 'Budget', { budgetName: names.monthlyBudget, monthlyLimitUsd: this.config.alerts.monthlyBudgetUsd, alertsTopicArn: names.alertsTopicArn });
  }
}
