/**
 * What the guard plugin found at synth, read from cdk.out/validation-report.json: how many rules ran,
 * the unacknowledged failures, the acknowledged ones (accepted risks apart from pending fixes), and
 * the acknowledgements of policies/exceptions.ts that no longer suppress anything.
 */
import { GUARD_ACKNOWLEDGEMENTS, GuardAcknowledgement } from './exceptions';
import { GUARD_PLUGIN_NAME, pathPattern } from './index';

/** One violation entry of the validation report (format version 55), as far as the summary reads it. */
interface ReportViolation {
  readonly ruleName: string;
  readonly description: string;
  readonly reason?: string;
  readonly violatingConstructs: { readonly constructPath?: string; readonly cloudFormationResource?: { readonly templatePath: string; readonly logicalId: string } }[];
}

export interface ValidationReport {
  readonly pluginReports: {
    readonly pluginName: string;
    readonly violations: ReportViolation[];
    readonly suppressedViolations?: ReportViolation[];
    /** Set by aws-cdk-lib when the plugin itself failed (it then reports no violations at all). */
    readonly metadata?: { readonly error?: string; readonly controlTowerRules?: string; readonly projectRules?: string };
  }[];
}

export interface GuardFinding {
  readonly rule: string;
  readonly description: string;
  readonly template: string;
  readonly logicalId: string;
  readonly constructPath: string;
  /** The recorded reason, for an acknowledged finding. */
  readonly reason?: string;
}

export interface GuardSummary {
  readonly controlTowerRules: number;
  readonly projectRules: number;
  readonly failures: GuardFinding[];
  readonly acceptedRisks: GuardFinding[];
  readonly pendingFixes: GuardFinding[];
  /** Paths of policies/exceptions.ts entries that suppressed nothing: the defect is fixed, or the entry is stale. */
  readonly unusedAcknowledgements: { readonly rule: string; readonly path: string }[];
}

const findings = (violations: readonly ReportViolation[]): GuardFinding[] =>
  violations.flatMap((v) =>
    v.violatingConstructs.map((c) => ({
      rule: v.ruleName,
      description: v.description,
      template: c.cloudFormationResource?.templatePath ?? '<unknown template>',
      logicalId: c.cloudFormationResource?.logicalId ?? '<unknown>',
      constructPath: c.constructPath ?? '<unknown>',
      ...(v.reason === undefined ? {} : { reason: v.reason }),
    })),
  );

/** Summarizes the guard plugin's part of a validation report. Throws if the plugin did not report (it did not run). */
export function summarizeGuard(report: ValidationReport, acknowledgements: readonly GuardAcknowledgement[] = GUARD_ACKNOWLEDGEMENTS): GuardSummary {
  const guard = report.pluginReports.find((r) => r.pluginName === GUARD_PLUGIN_NAME);
  if (!guard) throw new Error(`the validation report has no ${GUARD_PLUGIN_NAME} section: is the plugin registered in lib/app.ts?`);
  // A crashed plugin reports zero violations; that must never read as "all rules pass".
  if (guard.metadata?.error) throw new Error(`the guard rules did not run: ${guard.metadata.error}`);
  const suppressed = findings(guard.suppressedViolations ?? []);
  // An acknowledgement on a construct covers the resources under it.
  const covers = (pattern: string, path: string) => new RegExp(`${pathPattern(pattern).source.slice(0, -1)}(/|$)`).test(path);
  return {
    controlTowerRules: Number(guard.metadata?.controlTowerRules ?? 0),
    projectRules: Number(guard.metadata?.projectRules ?? 0),
    failures: findings(guard.violations),
    acceptedRisks: suppressed.filter((f) => !f.reason?.includes('Pending fix')),
    pendingFixes: suppressed.filter((f) => f.reason?.includes('Pending fix')),
    unusedAcknowledgements: acknowledgements.flatMap((a) =>
      a.paths.filter((path) => !suppressed.some((f) => f.rule === a.rule && covers(path, f.constructPath))).map((path) => ({ rule: a.rule, path })),
    ),
  };
}
