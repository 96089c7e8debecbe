import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { DATASETS, ICEBERG_ZONES, PARTITION_KEY } from '../../lib/datasets';
import { ResourceNames } from '../../lib/naming';
import { synthPlatform, templateOf } from '../harness/platform';

const platform = synthPlatform();
const RAW_DATASETS = DATASETS.filter((d) => !ICEBERG_ZONES.includes(d.zone));
const root = join(__dirname, '..', '..');

describe.each([...platform.stages.keys()])('%s catalog', (env) => {
  const config = platform.stages.get(env)!.config;
  const template = templateOf(platform.stages.get(env)!.lake);
  const names = new ResourceNames(config);
  const tables = Object.values(template.findResources('AWS::Glue::Table'));
  const tableOf = (zone: string, name: string) =>
    tables.find((t) => t.Properties.TableInput.Name === name && JSON.stringify(t.Properties.DatabaseName).includes(`${zone}Database`))!.Properties.TableInput;

  test('a Glue database per zone', () => {
    for (const zone of ['bronze', 'silver', 'gold']) template.hasResourceProperties('AWS::Glue::Database', { DatabaseInput: { Name: `bdp_${env}_${zone}` } });
  });

  test('a Parquet table per declared raw dataset, and none for the Iceberg zones, which the ETL defines', () => {
    expect(tables.map((t) => t.Properties.TableInput.Name).sort()).toEqual(RAW_DATASETS.map((d) => d.name).sort());
  });

  test.each(RAW_DATASETS.map((d) => [`${d.zone}.${d.name}`, d] as const))('%s: Parquet in its zone bucket, typed columns as declared, dt projected', (_key, dataset) => {
    const table = tableOf(dataset.zone, dataset.name);
    expect(table.StorageDescriptor.Columns).toEqual(dataset.columns.map((c) => ({ Name: c.name, Type: c.type, ...(c.comment ? { Comment: c.comment } : {}) })));
    expect(table.PartitionKeys).toEqual([{ Name: PARTITION_KEY.name, Type: PARTITION_KEY.type, Comment: PARTITION_KEY.comment }]);
    expect(table.StorageDescriptor.InputFormat).toBe('org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat');
    expect(table.StorageDescriptor.SerdeInfo.SerializationLibrary).toBe('org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe');
    expect(table.StorageDescriptor.Location).toEqual({ 'Fn::Join': ['', ['s3://', { Ref: expect.stringMatching(`^Storage${dataset.zone.replace(/^./, (c) => c.toUpperCase())}Bucket`) }, `/${dataset.name}/`]] });
    expect(table.Parameters).toEqual(
      expect.objectContaining({
        'projection.enabled': 'true',
        'projection.dt.type': 'date',
        'projection.dt.format': 'yyyy-MM-dd',
        'projection.dt.range': '2024-01-01,NOW',
        classification: 'parquet',
      }),
    );
    expect(names.glueDatabase(dataset.zone)).toBe(`bdp_${env}_${dataset.zone}`);
  });
});

test("the Glue columns of every raw dataset equal the Spark job's schema (one declaration, no drift)", () => {
  const spark = JSON.parse(
    execFileSync(join(root, '.venv', 'bin', 'python'), ['-m', 'bdp_etl.schema', '--dump'], { cwd: join(root, 'etl'), encoding: 'utf8' }),
  ) as Record<string, [string, string][]>;
  const template = templateOf(platform.stages.values().next().value!.lake);
  const glue = Object.fromEntries(
    Object.values(template.findResources('AWS::Glue::Table')).map((t) => {
      const zone = /(bronze|silver|gold)Database/.exec(JSON.stringify(t.Properties.DatabaseName))![1];
      return [`${zone}.${t.Properties.TableInput.Name}`, t.Properties.TableInput.StorageDescriptor.Columns.map((c: { Name: string; Type: string }) => [c.Name, c.Type])];
    }),
  );
  const raw = Object.fromEntries(Object.entries(spark).filter(([key]) => !ICEBERG_ZONES.some((zone) => key.startsWith(`${zone}.`))));
  expect(Object.keys(glue).sort()).toEqual(Object.keys(raw).sort());
  expect(glue).toEqual(raw);
});
