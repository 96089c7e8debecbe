import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Reading what `cdk synth` wrote to cdk.out: the top-level manifest lists one nested assembly per
 * Stage (`assembly-Dev`, ...), whose own manifest lists its stacks and their template files.
 * Shared by the synth summary and the cost report, so both read cdk.out the same way.
 */

/** A CloudFormation resource as a synthesized template holds it. */
export interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Metadata?: Record<string, unknown>;
}

export interface Template {
  readonly Resources?: Record<string, TemplateResource>;
  readonly Outputs?: Record<string, unknown>;
}

export interface SynthesizedStack {
  /** The Stage's display name, e.g. `Dev`. */
  readonly stage: string;
  /** `Dev/Network`: how `cdk deploy` and `cdk diff` name the stack. */
  readonly displayName: string;
  /** `Dev-Network`: the CloudFormation stack name. */
  readonly stackName: string;
  /** `aws://111111111111/eu-north-1`. */
  readonly environment: string;
  readonly templatePath: string;
  readonly template: Template;
}

interface Artifact {
  readonly type: string;
  readonly environment?: string;
  readonly displayName?: string;
  readonly properties?: { readonly templateFile?: string; readonly directoryName?: string; readonly displayName?: string; readonly stackName?: string };
}

const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;
const artifactsOf = (dir: string): Artifact[] => Object.values(readJson<{ artifacts?: Record<string, Artifact> }>(join(dir, 'manifest.json')).artifacts ?? {});

/** Every stack of every Stage in a cloud assembly directory, in manifest order. */
export function readSynthesizedStacks(outdir: string): SynthesizedStack[] {
  const stacks: SynthesizedStack[] = [];
  for (const assembly of artifactsOf(outdir).filter((a) => a.type === 'cdk:cloud-assembly')) {
    const dir = join(outdir, assembly.properties!.directoryName!);
    const stage = assembly.properties?.displayName ?? assembly.properties!.directoryName!.replace(/^assembly-/, '');
    for (const stack of artifactsOf(dir).filter((a) => a.type === 'aws:cloudformation:stack')) {
      const templatePath = join(dir, stack.properties!.templateFile!);
      stacks.push({
        stage,
        displayName: stack.displayName ?? stack.properties!.stackName!,
        stackName: stack.properties!.stackName!,
        environment: stack.environment ?? 'aws://unknown-account/unknown-region',
        templatePath,
        template: readJson<Template>(templatePath),
      });
    }
  }
  return stacks;
}

/** The stacks grouped by Stage, e.g. `Dev` → its four templates. */
export function stacksByStage(stacks: readonly SynthesizedStack[]): Map<string, SynthesizedStack[]> {
  const byStage = new Map<string, SynthesizedStack[]>();
  for (const stack of stacks) byStage.set(stack.stage, [...(byStage.get(stack.stage) ?? []), stack]);
  return byStage;
}
