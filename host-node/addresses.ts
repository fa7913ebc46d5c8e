/**
 * Gateway addresses. As each Gateway has its own load-balancer IP in a cluster, each binds its
 * own address here, so several Gateways can use the same port: `spec.addresses` when given,
 * else the next free address of an IPv4 pool (`--address-pool 127.0.10.0/24`), assigned in the
 * order the resolver asks (namespace/name) and kept for the Gateway across reloads; else the
 * common bind address.
 */
import { isIPv4 } from 'node:net';

export class AddressPool {
  private readonly first: number;
  private readonly last: number;
  private next: number;
  private readonly assigned = new Map<string, string>();

  constructor(readonly cidr: string) {
    const m = /^(\d{1,3}(?:\.\d{1,3}){3})\/(\d{1,2})$/.exec(cidr);
    if (!m || !isIPv4(m[1]) || Number(m[2]) > 32) throw new Error(`address pool ${JSON.stringify(cidr)} is not an IPv4 CIDR (e.g. 127.0.10.0/24)`);
    const bits = Number(m[2]);
    const size = 2 ** (32 - bits);
    const network = Math.floor(toInt(m[1]) / size) * size;
    // Skip the network and broadcast addresses when the block has room for them.
    this.first = size > 2 ? network + 1 : network;
    this.last = size > 2 ? network + size - 2 : network + size - 1;
    this.next = this.first;
  }

  /** The address of `key` (`namespace/name`): its earlier one, or the next free; undefined when exhausted. */
  addressFor(key: string): string | undefined {
    const known = this.assigned.get(key);
    if (known !== undefined) return known;
    if (this.next > this.last) return undefined;
    const address = toDotted(this.next++);
    this.assigned.set(key, address);
    return address;
  }
}

function toInt(dotted: string): number {
  return dotted.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

function toDotted(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
}
