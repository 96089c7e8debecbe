import { App, Aspects, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, NIST80053R5Checks, ServerlessChecks, WriteNagSuppressionsToCloudFormationAspect } from 'cdk-nag';
import { EnvironmentConfig, loadEnvironments } from './config';
import { PlatformStage, stageId } from './platform-stage';

/** The compliance packs every environment must pass with zero unacknowledged findings. */
export const compliancePacks = (app?: App) => [new AwsSolutionsChecks(app), new NIST80053R5Checks(app), new ServerlessChecks(app)];

/**
 * Adds a Stage per environment to the app and registers the cdk-nag packs, which fail synthesis
 * on any unacknowledged finding. Acknowledgements are also written into each resource's template
 * metadata (`cdk_nag`), an audit trail that travels with the template.
 */
export function buildPlatform(app: App, environments: readonly EnvironmentConfig[] = loadEnvironments()): PlatformStage[] {
  const stages = environments.map((config) => new PlatformStage(app, stageId(config.name), { config }));
  Validations.of(app).addPlugins(...compliancePacks(app));
  // Aspects do not cross into nested Stages, so each Stage gets its own.
  for (const stage of stages) Aspects.of(stage).add(new WriteNagSuppressionsToCloudFormationAspect());
  return stages;
}
