/**
 * The text of a gateway's status file: exactly `renderStatus(result, 'yaml')`, built from one
 * YAML text per object. A reload usually changes a few objects of thousands, and rendering the
 * whole List again cost more than the rest of the reload (10,000 routes: seconds), so each
 * object's text is kept while the object (the same validated object, which the validation memo
 * hands out again for unchanged documents) and its status (the same object, or equal as JSON)
 * stay the same.
 */
import { stringify } from 'yaml';
import { renderStatus, statusObjects } from '../src/cli/status-output.js';
import type { PipelineResult } from '../src/pipeline.js';

interface Rendered {
  /** The status rendered (the resolver hands out an unchanged status again as the same object). */
  source: Record<string, unknown> | undefined;
  /** The status as JSON: the object's text is reused only while this is unchanged. */
  status: string;
  /** The object's entry of the List's `items`, indented as in the List. */
  text: string;
}

const OPTIONS = { lineWidth: 0 } as const;

export class StatusYaml {
  /** Each object's entry of the previous render; each render keeps only what it used. */
  private rendered = new Map<object, Rendered>();

  render(result: PipelineResult): string {
    const items = statusObjects(result);
    // An empty List is written in flow style (`items: []`).
    if (items.length === 0) return renderStatus(result, 'yaml');
    const next = new Map<object, Rendered>();
    let body = '';
    for (const { object, status } of items) {
      const source = status?.status;
      const kept = next.has(object.object) ? undefined : this.rendered.get(object.object);
      let entry = kept && source !== undefined && kept.source === source ? kept : undefined;
      if (!entry) {
        const json = JSON.stringify(source ?? {});
        entry = kept?.status === json ? { ...kept, source } : { source, status: json, text: itemText({ ...object.object, status: source ?? {} }) };
      }
      next.set(object.object, entry);
      body += entry.text;
    }
    this.rendered = next;
    return `apiVersion: v1\nkind: List\nitems:\n${body}metadata:\n  resourceVersion: ""\n`;
  }
}

/**
 * One item as the List renders it: a one-item sequence, every line indented by the List's two
 * spaces (empty lines, inside block scalars, stay empty as the List writes them).
 */
function itemText(item: object): string {
  return stringify([item], OPTIONS).replace(/^(?=.)/gm, '  ');
}
