import { EventEmitter } from 'node:events';
import { createLogger } from './createLogger.ts';

// biome-ignore lint/suspicious/noExplicitAny: event argument tuples are arbitrary
export type EventMap = Record<string, any[]>;

/**
 * An EventEmitter whose event names and argument tuples are checked by the compiler.
 * A listener that throws is caught and reported (logged, or to `onListenerError`'s handler),
 * never lost and never allowed to break the emitter or the other listeners.
 */
export class TypedEmitter<Events extends EventMap> {
  readonly #emitter = new EventEmitter();
  #onListenerError: (error: unknown, event: string) => void = (error, event) => {
    createLogger('events').error({ err: error, event }, 'an event listener threw');
  };

  constructor() {
    this.#emitter.setMaxListeners(100);
  }

  /** Where errors thrown by listeners go (default: logged as errors). */
  onListenerError(handler: (error: unknown, event: string) => void): void {
    this.#onListenerError = handler;
  }

  on<K extends keyof Events & string>(event: K, listener: (...args: Events[K]) => void): this {
    this.#emitter.on(event, listener as (...args: unknown[]) => void);
    return this;
  }

  once<K extends keyof Events & string>(event: K, listener: (...args: Events[K]) => void): this {
    this.#emitter.once(event, listener as (...args: unknown[]) => void);
    return this;
  }

  off<K extends keyof Events & string>(event: K, listener: (...args: Events[K]) => void): this {
    this.#emitter.off(event, listener as (...args: unknown[]) => void);
    return this;
  }

  removeAllListeners(): void {
    this.#emitter.removeAllListeners();
  }

  protected emit<K extends keyof Events & string>(event: K, ...args: Events[K]): boolean {
    // rawListeners: once-wrappers, which remove themselves when called.
    const listeners = this.#emitter.rawListeners(event);
    for (const listener of listeners) {
      try {
        (listener as (...a: Events[K]) => void)(...args);
      } catch (error) {
        this.#onListenerError(error, event);
      }
    }
    return listeners.length > 0;
  }
}
