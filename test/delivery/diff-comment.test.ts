import { liveChanges, renderSection } from '../../scripts/diff-comment';

const red = (s: string) => `\u001b[31m${s}\u001b[39m`;
/** What the CDK CLI prints for a template diff (colours included). */
const CDK_DIFF = [
  'Stack Dev/Lake (DevLake03B4C8E2)',
  'Resources',
  `${red('[-]')} AWS::S3::Bucket Storage/BronzeBucket StorageBronzeBucket1A2B3C4D ${red('destroy')}`,
  '[~] AWS::KMS::Key Storage/Key StorageKey961B73FD replace',
  ' └─ [~] KeySpec (requires replacement)',
  '[-] AWS::Logs::LogGroup Flow/Logs FlowLogs0A1B2C3D orphan',
  'Stack Dev/Orchestration (DevOrchestrationBB67439A)',
  'Resources',
  '[~] AWS::Lambda::Function Reaper ReaperA1B2C3D4 may be replaced',
  '[-] AWS::Lambda::Function Old Old5E6F7A8B destroy',
  '[+] AWS::SNS::Topic Alerts AlertsABCDEF12',
  '',
  '✨  Number of stacks with differences: 2',
].join('\n');

test('liveChanges classifies the resource lines of a cdk diff by stateful type', () => {
  expect(liveChanges(CDK_DIFF)).toEqual([
    { stack: 'Dev/Lake', type: 'AWS::S3::Bucket', resource: 'Storage/BronzeBucket StorageBronzeBucket1A2B3C4D', impact: 'destroy' },
    { stack: 'Dev/Lake', type: 'AWS::KMS::Key', resource: 'Storage/Key StorageKey961B73FD', impact: 'destroy' },
    { stack: 'Dev/Lake', type: 'AWS::Logs::LogGroup', resource: 'Flow/Logs FlowLogs0A1B2C3D', impact: 'orphan' },
    { stack: 'Dev/Orchestration', type: 'AWS::Lambda::Function', resource: 'Reaper ReaperA1B2C3D4', impact: 'may-replace' },
  ]);
});

test('the section leads with data loss, then other replacements, and keeps the whole diff, without colour codes, folded', () => {
  const section = renderSection('dev', CDK_DIFF, true);
  expect(section).toContain(':warning: **3 destructive changes: 2 stateful resources deleted or replaced, losing data**; 1 other replaced');
  const bullets = section.split('\n').filter((line) => line.startsWith('- '));
  expect(bullets).toEqual([
    '- **Dev/Lake: `AWS::S3::Bucket` Storage/BronzeBucket StorageBronzeBucket1A2B3C4D: DATA LOSS: stateful, deleted or replaced**',
    '- **Dev/Lake: `AWS::KMS::Key` Storage/Key StorageKey961B73FD: DATA LOSS: stateful, deleted or replaced**',
    '- Dev/Orchestration: `AWS::Lambda::Function` Reaper ReaperA1B2C3D4: MAY BE REPLACED',
    '- Dev/Lake: `AWS::Logs::LogGroup` Flow/Logs FlowLogs0A1B2C3D: retained: leaves the stack but is not deleted',
  ]);
  expect(section).toContain('<details><summary>cdk diff output</summary>');
  expect(section).not.toContain('\u001b[');
});

test('a replacement of a stateless resource is destructive, though no data is lost', () => {
  const section = renderSection('staging', 'Stack Staging/Network\nResources\n[~] AWS::EC2::Subnet Vpc/Subnet SubnetA1 replace\n', true);
  expect(section).toContain(':warning: **1 destructive change: 1 resource replaced** (no stateful data lost)');
  expect(section).toContain('- Staging/Network: `AWS::EC2::Subnet` Vpc/Subnet SubnetA1: REPLACED');
});

test('a diff without replacements or deletions says so', () => {
  expect(renderSection('prod', 'Stack Prod/Lake\nResources\n[+] AWS::SNS::Topic T T1\n', true)).toContain('No destructive change.');
});

test('a failed diff is reported as failed, not as "no changes"', () => {
  const section = renderSection('staging', 'Need to perform AWS calls for account 222222222222, but no credentials have been configured', false);
  expect(section).toContain(':x: `cdk diff` failed');
  expect(section).not.toContain('No destructive change');
});

test('a huge diff is truncated so that three environments fit in one comment', () => {
  expect(renderSection('dev', 'x'.repeat(100_000), true).length).toBeLessThan(20_000);
});
