/** Exponential backoff with jitter, and a sleep that an AbortSignal cuts short. */

export interface BackoffOptions {
  /** First delay. Default 500 ms. */
  initialMs?: number;
  /** Largest delay. Default 30 s. */
  maxMs?: number;
}

export class Backoff {
  readonly #initialMs: number;
  readonly #maxMs: number;
  #attempt = 0;

  constructor(options: BackoffOptions = {}) {
    this.#initialMs = options.initialMs ?? 500;
    this.#maxMs = options.maxMs ?? 30_000;
  }

  /** The delay before the next attempt: doubles each time up to the maximum, with up to 20% jitter. */
  next(): number {
    const base = Math.min(this.#maxMs, this.#initialMs * 2 ** Math.min(this.#attempt, 30));
    this.#attempt++;
    return Math.round(base * (0.8 + Math.random() * 0.2));
  }

  reset(): void {
    this.#attempt = 0;
  }
}

/** Waits `ms`, or less when `signal` aborts. Never rejects. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
