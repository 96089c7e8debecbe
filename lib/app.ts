import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, NIST80053R5Checks, ServerlessChecks } from 'cdk-nag';
import { EnvironmentConfig, loadEnvironments } from './config';
import { PlatformStage, stageId } from './platform-stage';

/** The compliance packs every environment must pass with zero unacknowledged findings. */
export const compliancePacks = (app?: App) => [new AwsSolutionsChecks(app), new NIST80053R5Checks(app), new ServerlessChecks(app)];

/** Adds a Stage per environment to the app and registers the cdk-nag packs, which fail synthesis on any finding. */
export function buildPlatform(app: App, environments: readonly EnvironmentConfig[] = loadEnvironments()): PlatformStage[] {
  const stages = environments.map((config) => new PlatformStage(app, stageId(config.name), { config }));
  Validations.of(app).addPlugins(...compliancePacks(app));
  return stages;
}
