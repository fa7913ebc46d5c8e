/**
 * What the operations layer reads: the gateway's per-request report (defined with the
 * gateway's hooks in `../observe.ts`) and the label values a table allows.
 */

export type { RequestEndInfo } from '../observe.js';

/** The label values a table allows: anything else is reported as `none`. */
export interface TableLabels {
  hash: string;
  routeIds: Iterable<string>;
  backends: Iterable<string>;
}
