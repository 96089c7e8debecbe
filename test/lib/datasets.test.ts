import declaration from '../../etl/bdp_etl/datasets.json';
import { DATASETS, dataset, datasetsIn, parseDatasetDeclaration } from '../../lib/datasets';

const withColumn = (type: string) => ({ ...declaration, datasets: [{ ...declaration.datasets[0], columns: [{ name: 'x', type }] }] });

test('every dataset of datasets.json reads back in its zone, in declaration order, with its columns', () => {
  for (const zone of ['bronze', 'silver', 'gold'] as const) {
    expect(datasetsIn(zone).map((d) => d.name)).toEqual(declaration.datasets.filter((d) => d.zone === zone).map((d) => d.name));
  }
  expect(DATASETS).toHaveLength(declaration.datasets.length);
  for (const declared of declaration.datasets) {
    expect(dataset(declared.zone as 'bronze' | 'silver' | 'gold', declared.name).columns.map((c) => c.name)).toEqual(declared.columns.map((c) => c.name));
  }
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
