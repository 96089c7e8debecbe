import { isIPv4 } from 'node:net';

/** An IPv4 block, parsed and checked once so callers can do arithmetic on it. */
export interface Ipv4Cidr {
  readonly text: string;
  /** First address as an unsigned 32-bit number. */
  readonly network: number;
  readonly prefix: number;
  readonly size: number;
}

const toNumber = (address: string): number =>
  address.split('.').reduce((value, octet) => value * 256 + Number(octet), 0);

const toAddress = (value: number): string =>
  [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');

/** Parses `a.b.c.d/n`; returns a reason string when it is not a valid, aligned IPv4 CIDR. */
export function parseIpv4Cidr(text: string): Ipv4Cidr | string {
  const match = /^([0-9.]+)\/(\d{1,2})$/.exec(text);
  if (!match || !isIPv4(match[1])) return 'not an IPv4 CIDR block such as 10.100.0.0/16';
  const prefix = Number(match[2]);
  if (prefix > 32) return 'the prefix length must be between 0 and 32';
  const size = 2 ** (32 - prefix);
  const network = toNumber(match[1]);
  if (network % size !== 0) {
    return `host bits are set; the block starts at ${toAddress(network - (network % size))}/${prefix}`;
  }
  return { text, network, prefix, size };
}

export function overlaps(a: Ipv4Cidr, b: Ipv4Cidr): boolean {
  return a.network < b.network + b.size && b.network < a.network + a.size;
}

/** The Amazon-provided DNS resolver of a VPC: its base address plus two. */
export function vpcResolverAddress(vpc: Ipv4Cidr): string {
  return toAddress(vpc.network + 2);
}
