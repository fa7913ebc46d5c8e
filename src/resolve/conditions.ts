/**
 * Conditions as a Kubernetes controller writes them: every condition carries the object's
 * current `metadata.generation` as `observedGeneration`, and a `lastTransitionTime` that only
 * moves when the condition changes.
 *
 * "Changes" is decided per condition type against the previous status of the same object (and,
 * for nested condition lists, the same listener / parent / ancestor entry): the previous time
 * is kept when `status`, `reason`, `message` and `observedGeneration` are all equal; otherwise
 * the condition gets `now`. A generation bump therefore refreshes the time, which tells a reader
 * that the condition was re-evaluated against the new spec.
 */
import type { Condition } from '../model/gateway-api.js';

/** A condition before it is stamped: what the resolver decides. */
export interface ConditionSpec {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
}

export function cond(type: string, ok: boolean, reason: string, message: string): ConditionSpec {
  return { type, status: ok ? 'True' : 'False', reason, message };
}

/** Formats a time the way the API server serializes metav1.Time: RFC 3339, seconds precision, UTC. */
export function formatTime(t: Date): string {
  return t.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export class ConditionStamper {
  private readonly now: string;

  constructor(now: Date) {
    this.now = formatTime(now);
  }

  /**
   * Stamps conditions with `generation` and a transition time, keeping the time of an unchanged
   * condition from `previous` (the same object's earlier conditions at the same place).
   */
  stamp(specs: readonly ConditionSpec[], generation: number, previous: unknown): Condition[] {
    const prev = Array.isArray(previous) ? (previous as Partial<Condition>[]) : NONE;
    return specs.map((s) => {
      const old = prev.find((p) => p && p.type === s.type);
      const unchanged =
        old !== undefined &&
        old.status === s.status &&
        old.reason === s.reason &&
        old.message === s.message &&
        old.observedGeneration === generation &&
        typeof old.lastTransitionTime === 'string';
      return {
        type: s.type,
        status: s.status,
        reason: s.reason,
        message: s.message,
        observedGeneration: generation,
        lastTransitionTime: unchanged ? (old.lastTransitionTime as string) : this.now,
      };
    });
  }
}

const NONE: readonly never[] = [];

/** Reads `status[field]` of a previous status as an array of records (empty when absent). */
export function previousList(status: Record<string, unknown> | undefined, field: string): readonly Record<string, unknown>[] {
  const v = status?.[field];
  if (!Array.isArray(v)) return NONE;
  // Usually every entry is a record (statuses this resolver wrote): the list itself is returned.
  return v.every((x) => typeof x === 'object' && x !== null) ? (v as Record<string, unknown>[]) : (v.filter((x) => typeof x === 'object' && x !== null) as Record<string, unknown>[]);
}
