import declaration from '../../etl/bdp_etl/datasets.json';

/**
 * The bronze.events columns, read straight from the shared declaration (etl/bdp_etl/datasets.json).
 * The consumer does not import lib/datasets: its validation pulls zod into the Lambda bundle, and
 * CDK already validates the declaration at synth time.
 */

export interface BronzeColumn {
  readonly name: string;
  readonly type: string;
}

export interface BronzeEvents {
  readonly zone: 'bronze';
  readonly name: 'events';
  readonly columns: readonly BronzeColumn[];
}

function bronzeEvents(): BronzeEvents {
  const found = (declaration.datasets as readonly { zone: string; name: string; columns: readonly BronzeColumn[] }[]).find((d) => d.zone === 'bronze' && d.name === 'events');
  if (!found) throw new Error('etl/bdp_etl/datasets.json declares no bronze.events dataset, which the views consumer reads');
  return { zone: 'bronze', name: 'events', columns: found.columns.map(({ name, type }) => ({ name, type })) };
}

export const BRONZE_EVENTS: BronzeEvents = bronzeEvents();
