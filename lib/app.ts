import { App, Aspects, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, NIST80053R5Checks, ServerlessChecks, WriteNagSuppressionsToCloudFormationAspect } from 'cdk-nag';
import { acknowledgeGuardExceptions, PlatformGuardValidator } from '../policies';
import { EnvironmentConfig, loadEnvironments } from './config';
import { PlatformStage, stageId } from './platform-stage';

/** The compliance packs every environment must pass with zero unacknowledged findings. */
export const compliancePacks = (app?: App) => [new AwsSolutionsChecks(app), new NIST80053R5Checks(app), new ServerlessChecks(app)];

/**
 * Adds a Stage per environment to the app and registers the cdk-nag packs and the guard rules
 * (Control Tower's proactive controls plus policies/guard/), which fail synthesis on any
 * unacknowledged finding. cdk-nag acknowledgements are also written into each resource's template
 * metadata (`cdk_nag`), an audit trail that travels with the template; guard exceptions are listed,
 * with their reasons, in policies/exceptions.ts.
 */
export function buildPlatform(app: App, environments: readonly EnvironmentConfig[] = loadEnvironments()): PlatformStage[] {
  const stages = environments.map((config) => new PlatformStage(app, stageId(config.name), { config }));
  Validations.of(app).addPlugins(...compliancePacks(app), new PlatformGuardValidator());
  acknowledgeGuardExceptions(app);
  // Aspects do not cross into nested Stages, so each Stage gets its own.
  for (const stage of stages) Aspects.of(stage).add(new WriteNagSuppressionsToCloudFormationAspect());
  return stages;
}
