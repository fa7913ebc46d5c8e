/**
 * Readiness of a gateway process: ready only when its listeners are bound, a route table is
 * loaded and it is not draining. Liveness is simply "the process answers".
 */

export interface ReadinessReport {
  ready: boolean;
  /** What keeps the process from being ready; empty when ready. */
  reasons: string[];
}

/** Anything the admin server can ask whether to answer `/readyz` with 200. */
export interface ReadinessSource {
  readiness(): ReadinessReport | Promise<ReadinessReport>;
}

export class Readiness implements ReadinessSource {
  #listening = false;
  #tableLoaded = false;
  #draining = false;
  readonly #listeners = new Set<(report: ReadinessReport) => void>();

  /** Calls `listener` with the new report after every change; returns a function that stops it. */
  onChange(listener: (report: ReadinessReport) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #changed(): void {
    const report = this.readiness();
    for (const listener of this.#listeners) listener(report);
  }

  get draining(): boolean {
    return this.#draining;
  }

  /** The gateway's listeners are bound (or were closed: false). */
  setListening(value: boolean): void {
    if (this.#listening === value) return;
    this.#listening = value;
    this.#changed();
  }

  /** A route table is loaded. */
  setTableLoaded(value: boolean): void {
    if (this.#tableLoaded === value) return;
    this.#tableLoaded = value;
    this.#changed();
  }

  /** Shutdown began: readiness fails from now on and never comes back. */
  startDraining(): void {
    if (this.#draining) return;
    this.#draining = true;
    this.#changed();
  }

  readiness(): ReadinessReport {
    const reasons: string[] = [];
    if (this.#draining) reasons.push('draining');
    if (!this.#listening) reasons.push('listeners not bound');
    if (!this.#tableLoaded) reasons.push('no route table loaded');
    return { ready: reasons.length === 0, reasons };
  }
}
