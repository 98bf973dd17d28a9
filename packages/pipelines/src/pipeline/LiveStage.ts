/**
 * What a pipeline runs frames with (sessions, params, feeds), swapped whole between two frames.
 * The one mechanism behind every pipeline's live `update()`:
 *
 * - `run(fn)` runs a frame on the current stage and tracks it while in flight;
 * - `change(fn)` runs after the changes before it (one at a time); `fn` gets the current stage and
 *   returns the next one, already built and warmed (or the same one, changed in place). The next
 *   frame runs on it; the retired stage is released once the frames in flight on it settle, so
 *   frames never stall or go blank during a swap;
 * - `close()` waits for changes and frames, then releases the current stage. A stage built while
 *   closing is released without ever being used.
 *
 * - `update(validate, build)` is `change` for params: `validate` checks a partial set of params
 *   against the params of every update accepted so far (applied or queued), and `build` makes the
 *   stage for them; when it fails, the next update builds on the params in use again.
 *
 * `release(retired, successor)` frees what `retired` holds and `successor` does not share.
 */
export class LiveStage<S extends { readonly params: P }, P = S['params']> {
  #current: S;
  /** Params after every accepted `update()`, applied or queued: what the next one builds on. */
  #targetParams: P;
  readonly #release: (retired: S, successor: S | undefined) => Promise<void>;
  #changes: Promise<void> = Promise.resolve();
  readonly #running = new Set<Promise<unknown>>();
  #closed = false;

  constructor(initial: S, release: (retired: S, successor: S | undefined) => Promise<void>) {
    this.#current = initial;
    this.#release = release;
    this.#targetParams = initial.params;
  }

  get current(): S {
    return this.#current;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Runs one frame on the current stage. */
  async run<R>(fn: (stage: S) => Promise<R>): Promise<R> {
    const running = fn(this.#current);
    this.#running.add(running);
    try {
      return await running;
    } finally {
      this.#running.delete(running);
    }
  }

  /** Queues a change (see the class comment); rejects with `fn`'s error, leaving the stage as it was. */
  change(fn: (current: S) => Promise<S>): Promise<void> {
    const applied = this.#changes.then(async () => {
      if (this.#closed) return;
      const current = this.#current;
      const next = await fn(current);
      if (next === current) return;
      if (this.#closed) {
        await this.#release(next, undefined); // closed while it was built: never swapped in
        return;
      }
      this.#current = next; // the swap: the next frame runs on `next`
      await Promise.allSettled(this.#running);
      await this.#release(current, next);
    });
    this.#changes = applied.catch(() => undefined);
    return applied;
  }

  /** Validates params (throwing at once, nothing queued) and queues the stage they need. */
  update(validate: (base: P) => P, build: (current: S, next: P) => Promise<S>): Promise<void> {
    const next = validate(this.#targetParams);
    this.#targetParams = next;
    return this.change(async (current) => {
      try {
        return await build(current, next);
      } catch (error) {
        this.#targetParams = current.params;
        throw error;
      }
    });
  }

  /** Waits for changes and frames in flight, then releases the stage. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#changes;
    await Promise.allSettled(this.#running);
    await this.#release(this.#current, undefined);
  }
}
