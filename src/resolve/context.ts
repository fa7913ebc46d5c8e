/**
 * What every phase reads: the catalog, the controller's identity, and memoized parsing of
 * certificate material (a Secret referenced by several listeners is parsed once).
 */
import type { Diagnostic } from '../diagnostics.js';
import type { ConfigMap, Secret } from '../model/core.js';
import { Catalog } from './catalog.js';
import { parseCABundle, parseTLSSecret, type KeyPair, type Parsed } from './certificates.js';

export class ResolveContext {
  readonly diagnostics: Diagnostic[] = [];
  private readonly keyPairs = new Map<Secret, Parsed<KeyPair>>();
  private readonly bundles = new Map<ConfigMap, Parsed<string>>();
  private readonly reported = new Set<unknown>();

  constructor(
    readonly catalog: Catalog,
    readonly controllerName: string,
  ) {}

  keyPair(secret: Secret): Parsed<KeyPair> {
    let r = this.keyPairs.get(secret);
    if (!r) {
      r = parseTLSSecret(secret);
      this.keyPairs.set(secret, r);
      if (!r.ok) this.warn(secret, r.message);
    }
    return r;
  }

  caBundle(cm: ConfigMap): Parsed<string> {
    let r = this.bundles.get(cm);
    if (!r) {
      r = parseCABundle(cm);
      this.bundles.set(cm, r);
      if (!r.ok) this.warn(cm, r.message);
    }
    return r;
  }

  /** Records a finding about a referenced object once, at the object's source position. */
  private warn(o: Secret | ConfigMap, message: string): void {
    if (this.reported.has(o)) return;
    this.reported.add(o);
    const origin = this.catalog.origin(o);
    this.diagnostics.push({
      severity: 'warning',
      position: origin?.position ?? { file: '<unknown>', line: 0, col: 0 },
      object: { kind: o.kind, namespace: o.metadata.namespace, name: o.metadata.name },
      field: '',
      message,
    });
  }
}
