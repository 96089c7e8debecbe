import type { EnvironmentConfig } from '../lib/config';
import { emrInstanceTypesIn } from '../lib/config/instance-types';
import type { RegionPrices } from './prices';

export type Market = 'ON_DEMAND' | 'SPOT';

/** What one EMR instance costs per hour: EC2 (spot at the table's spot factor) plus the EMR uplift. */
export function instanceHourPrice(instanceType: string, market: Market, prices: RegionPrices): number {
  // Refused before any price is looked up: a type the region lacks cannot start, whatever it would cost.
  const offered = emrInstanceTypesIn(prices.region);
  if (offered && !offered.has(instanceType)) throw new UnofferedInstanceType(instanceType, prices.region);
  const ec2 = prices.ec2Hour[instanceType];
  const emr = prices.emrUpliftHour[instanceType];
  if (ec2 === undefined || emr === undefined) throw new UnpricedInstanceType(instanceType);
  return ec2 * (market === 'SPOT' ? prices.spotFactor : 1) + emr;
}

export class UnpricedInstanceType extends Error {
  constructor(
    readonly instanceType: string,
    message = `no EC2 or EMR price for instance type '${instanceType}': add it to ec2Hour and emrUpliftHour in ops/prices.ts`,
  ) {
    super(message);
  }
}

/** An instance type EMR cannot launch in the region (lib/config/instance-types.ts), so it has no price to give. */
export class UnofferedInstanceType extends UnpricedInstanceType {
  constructor(instanceType: string, readonly region: string) {
    super(instanceType, `instance type '${instanceType}' is not offered for EMR in ${region} (lib/config/instance-types.ts), so the cost model refuses it; use a family the region offers, e.g. m6g or m7g`);
  }
}

/**
 * Fleet capacity units of an instance type: one per xlarge (4 vCPUs), so m5.2xlarge counts 2.
 * The same rule as `instance_units` in dags/bdp/emr_config.py, which builds the fleets.
 */
export function instanceUnits(instanceType: string): number {
  const size = instanceType.split('.').pop() ?? '';
  const multiple = size.replace(/xlarge$/, '');
  return size.endsWith('xlarge') && /^\d+$/.test(multiple) ? Number(multiple) : 1;
}

/** An instance type a fleet may launch, with the capacity units one instance of it provides. */
export interface InstanceTypeOption {
  readonly instanceType: string;
  readonly weight: number;
}

/** One instance fleet of a pipeline run's cluster. */
export interface FleetPlan {
  readonly name: string;
  readonly options: readonly InstanceTypeOption[];
  /** Target capacity in units (instances for the unweighted primary fleet). */
  readonly units: number;
  readonly market: Market;
}

/** The fleets a pipeline run creates from an environment's `emr` settings, as dags/bdp/emr_config.py builds them. */
export function fleetPlans(emr: EnvironmentConfig['emr']): FleetPlan[] {
  const weighted = (types: readonly string[]) => types.map((instanceType) => ({ instanceType, weight: instanceUnits(instanceType) }));
  const primaryAndCore: Market = emr.spotEverywhere ? 'SPOT' : 'ON_DEMAND';
  const fleets: FleetPlan[] = [
    { name: 'primary', options: emr.primaryInstanceTypes.map((instanceType) => ({ instanceType, weight: 1 })), units: 1, market: primaryAndCore },
    { name: 'core', options: weighted(emr.coreInstanceTypes), units: emr.coreOnDemandUnits, market: primaryAndCore },
  ];
  if (emr.taskSpotUnits > 0) fleets.push({ name: 'task', options: weighted(emr.taskInstanceTypes), units: emr.taskSpotUnits, market: 'SPOT' });
  return fleets;
}

/**
 * Price of one capacity unit-hour of a fleet. Allocation picks among the listed types by price and
 * capacity, which nobody can predict, so the estimate is the mean over the listed types.
 */
export function unitHourPrice(options: readonly InstanceTypeOption[], market: Market, prices: RegionPrices): number {
  const perUnit = options.map((o) => instanceHourPrice(o.instanceType, market, prices) / Math.max(o.weight, 1));
  return perUnit.reduce((sum, price) => sum + price, 0) / perUnit.length;
}
