/**
 * Renders computed status three ways: `yaml` / `json` as `kubectl get -o yaml|json` shows a
 * List of objects, and `table`, one row per condition, grouped by object, parent and listener:
 * the answer to "why is my route not attached?".
 */
import { stringify } from 'yaml';
import type { Condition } from '../model/gateway-api.js';
import { objectKey, type ValidObject } from '../model/objects.js';
import type { PipelineResult } from '../pipeline.js';
import type { ObjectStatus } from '../resolve/types.js';

export type StatusFormat = 'yaml' | 'json' | 'table';

const STATUS_KINDS = new Set(['GatewayClass', 'Gateway', 'ListenerSet', 'HTTPRoute', 'GRPCRoute', 'TLSRoute', 'TCPRoute', 'UDPRoute', 'BackendTLSPolicy', 'Ingress']);

/** Gateway API objects that carry status, in load order, with the status this controller computed. */
export function statusObjects(result: PipelineResult): { object: ValidObject; status?: ObjectStatus }[] {
  return result.objects
    .filter((o) => STATUS_KINDS.has(o.object.kind))
    .map((o) => ({ object: o, status: result.resolution.statuses.get(objectKey(o.object)) }));
}

export function renderStatus(result: PipelineResult, format: StatusFormat): string {
  const items = statusObjects(result);
  if (format === 'table') return renderTable(items);
  const list = {
    apiVersion: 'v1',
    kind: 'List',
    items: items.map(({ object, status }) => ({ ...object.object, status: status?.status ?? {} })),
    metadata: { resourceVersion: '' },
  };
  return format === 'json' ? JSON.stringify(list, null, 2) + '\n' : stringify(list, { lineWidth: 0 });
}

interface Row {
  object: string;
  scope: string;
  condition: string;
  status: string;
  reason: string;
  message: string;
}

const HEADERS: Row = { object: 'OBJECT', scope: 'PARENT/LISTENER', condition: 'CONDITION', status: 'STATUS', reason: 'REASON', message: 'MESSAGE' };

function renderTable(items: { object: ValidObject; status?: ObjectStatus }[]): string {
  const rows: Row[] = [];
  for (const { object, status } of items) {
    const o = object.object;
    const name = `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`;
    const push = (scope: string, conditions: unknown) => {
      const list = (Array.isArray(conditions) ? conditions : []) as Condition[];
      for (const c of list) rows.push({ object: name, scope, condition: c.type, status: c.status, reason: c.reason, message: c.message });
    };
    const s = status?.status as Record<string, unknown> | undefined;
    if (!s) {
      rows.push({ object: name, scope: '-', condition: '-', status: '-', reason: 'NotOurs', message: notOursMessage(o.kind) });
      continue;
    }
    push('-', s.conditions);
    for (const l of (s.listeners ?? []) as { name: string; attachedRoutes: number; conditions: unknown }[]) {
      push(`listener ${l.name} (${l.attachedRoutes} routes)`, l.conditions);
    }
    for (const p of (s.parents ?? s.ancestors ?? []) as Record<string, unknown>[]) {
      const ref = (p.parentRef ?? p.ancestorRef) as { kind?: string; namespace?: string; name: string; sectionName?: string; port?: number };
      const where = `${ref.kind ?? 'Gateway'} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}${ref.sectionName ? `#${ref.sectionName}` : ''}${ref.port ? `:${ref.port}` : ''}`;
      push(where, p.conditions);
    }
    if (o.kind.endsWith('Route') && ((s.parents as unknown[] | undefined)?.length ?? 0) === 0) {
      rows.push({ object: name, scope: '-', condition: '-', status: '-', reason: 'NoParents', message: 'no parentRef names a Gateway or ListenerSet of this controller' });
    }
  }
  return formatColumns([HEADERS, ...rows]);
}

function notOursMessage(kind: string): string {
  if (kind === 'GatewayClass') return 'controllerName is not this controller\'s';
  if (kind === 'Gateway' || kind === 'ListenerSet') return 'its GatewayClass is missing or not this controller\'s';
  return 'no parentRef names a Gateway or ListenerSet of this controller';
}

function formatColumns(rows: Row[]): string {
  const keys = Object.keys(HEADERS) as (keyof Row)[];
  const widths = keys.map((k) => Math.max(...rows.map((r) => r[k].length)));
  return rows
    .map((r) => keys.map((k, i) => (i === keys.length - 1 ? r[k] : r[k].padEnd(widths[i]))).join('  ').trimEnd())
    .join('\n') + '\n';
}
