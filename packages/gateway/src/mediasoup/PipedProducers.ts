import type { Producer, Router } from './mediasoupTypes.ts';

/**
 * Producers of other routers made consumable in one leg's router: each piped once (both routers
 * live in one worker), known afterwards by its pipe producer's id until that closes.
 */
export class PipedProducers {
  readonly #router: Router;
  /** Pipe producers' ids, by the id of the producer they pipe. */
  readonly #piped = new Map<string, Promise<string>>();

  constructor(router: Router) {
    this.#router = router;
  }

  /** The id `origin.producer` is consumed by in this router (its own where it lives here). */
  idOf(origin: { router: Router; producer: Producer }): Promise<string> {
    const { producer } = origin;
    if (origin.router === this.#router) return Promise.resolve(producer.id);
    let piped = this.#piped.get(producer.id);
    if (!piped) {
      // A new id: both routers live in one worker, whose ids must be unique.
      piped = origin.router
        .pipeToRouter({ producerId: producer.id, router: this.#router, keepId: false })
        .then(({ pipeProducer }) => {
          pipeProducer.observer.on('close', () => this.#piped.delete(producer.id));
          return pipeProducer.id;
        });
      this.#piped.set(producer.id, piped);
      piped.catch(() => this.#piped.delete(producer.id));
    }
    return piped;
  }
}
