// biome-ignore lint/suspicious/noExplicitAny: event argument tuples are arbitrary
type PortableEventMap = Record<string, any[]>;

// biome-ignore lint/suspicious/noExplicitAny: listeners of any event are stored together
type Listener = (...args: any[]) => void;

/** Reports an error without a logger: the host's `reportError` (browsers), else a process warning. */
function reportListenerError(error: unknown, event: string): void {
  const host = globalThis as {
    reportError?: (error: unknown) => void;
    process?: { emitWarning?: (warning: string | Error, options?: object) => void };
  };
  if (typeof host.reportError === 'function') {
    host.reportError(error);
    return;
  }
  host.process?.emitWarning?.(error instanceof Error ? error : String(error), {
    type: 'ListenerError',
    detail: `a listener of "${event}" threw`,
  });
}

/**
 * The typed emitter of `TypedEmitter`, with no Node.js module behind it (browser-safe): event
 * names and argument tuples checked by the compiler; a listener that throws is caught and reported
 * (to `onListenerError`'s handler, by default the host's `reportError`), never lost and never
 * allowed to break the emitter or the other listeners.
 */
export class PortableTypedEmitter<Events extends PortableEventMap> {
  /** Per event, the listeners in order; a `once` listener is stored with its flag. */
  readonly #listeners = new Map<string, { listener: Listener; once: boolean }[]>();
  #onListenerError: (error: unknown, event: string) => void = reportListenerError;

  /** Where errors thrown by listeners go (default: the host's `reportError`). */
  onListenerError(handler: (error: unknown, event: string) => void): void {
    this.#onListenerError = handler;
  }

  on<K extends keyof Events & string>(event: K, listener: (...args: Events[K]) => void): this {
    this.#add(event, listener, false);
    return this;
  }

  once<K extends keyof Events & string>(event: K, listener: (...args: Events[K]) => void): this {
    this.#add(event, listener, true);
    return this;
  }

  off<K extends keyof Events & string>(event: K, listener: (...args: Events[K]) => void): this {
    const list = this.#listeners.get(event);
    if (!list) return this;
    // Like EventEmitter: removes the most recently added registration of this listener.
    for (let i = list.length - 1; i >= 0; i--) {
      if (list[i]?.listener === listener) {
        list.splice(i, 1);
        break;
      }
    }
    if (list.length === 0) this.#listeners.delete(event);
    return this;
  }

  removeAllListeners(): void {
    this.#listeners.clear();
  }

  #add(event: string, listener: Listener, once: boolean): void {
    const list = this.#listeners.get(event);
    if (list) list.push({ listener, once });
    else this.#listeners.set(event, [{ listener, once }]);
  }

  protected emit<K extends keyof Events & string>(event: K, ...args: Events[K]): boolean {
    const list = this.#listeners.get(event);
    if (!list || list.length === 0) return false;
    // A snapshot: listeners added or removed while emitting take effect from the next emit.
    const snapshot = [...list];
    for (const entry of snapshot) {
      if (entry.once) {
        const at = list.indexOf(entry);
        if (at >= 0) list.splice(at, 1);
      }
    }
    if (list.length === 0) this.#listeners.delete(event);
    for (const { listener } of snapshot) {
      try {
        listener(...args);
      } catch (error) {
        this.#onListenerError(error, event);
      }
    }
    return true;
  }
}
