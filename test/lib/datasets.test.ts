import declaration from '../../etl/bdp_etl/datasets.json';
import { DATASETS, dataset, datasetsIn, parseDatasetDeclaration } from '../../lib/datasets';

const withColumn = (type: string) => ({ ...declaration, datasets: [{ ...declaration.datasets[0], columns: [{ name: 'x', type }] }] });

test('the sample domain: users and events in bronze and silver, quarantines, and the gold aggregates', () => {
  expect(datasetsIn('bronze').map((d) => d.name)).toEqual(['users', 'events']);
  expect(datasetsIn('silver').map((d) => d.name)).toEqual(['users', 'events', 'users_quarantine', 'events_quarantine']);
  expect(datasetsIn('gold').map((d) => d.name)).toEqual(['daily_event_metrics', 'daily_active_users', 'user_segments', 'quality_results']);
  expect(dataset('silver', 'events').columns.map((c) => c.name)).toEqual(['event_id', 'user_id', 'event_type', 'event_time', 'amount', 'country', 'properties']);
});

test('a type that Glue, Firehose and Spark would not all read is rejected', () => {
  expect(() => parseDatasetDeclaration(withColumn('varchar(10)'))).toThrow(/datasets.0.columns.0.type: a Hive type/);
  expect(() => parseDatasetDeclaration(withColumn('decimal(12,2)'))).not.toThrow();
});

test('a dataset declared twice in a zone is rejected', () => {
  expect(() => parseDatasetDeclaration({ ...declaration, datasets: [DATASETS[0], DATASETS[0]] })).toThrow(/declares bronze.users twice/);
});

test('an unknown dataset is a clear error', () => {
  expect(() => dataset('gold', 'nope')).toThrow('no dataset gold.nope in etl/bdp_etl/datasets.json');
});
