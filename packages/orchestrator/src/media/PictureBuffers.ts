/**
 * Picture buffers a media thread reuses instead of allocating one per decoded picture. A 1280×720
 * I420 picture is 1.38 MB: copying it into a fresh buffer took 0.33–0.43 ms of CPU, into a
 * reused one 0.07 ms (see "What the media thread pays per frame" in docs/architecture.md).
 * Pictures that come back to this thread to be encoded hand their buffer in once the encoder has
 * copied it (`give`); the decoder takes one for its next picture (`take`). Only buffers of the
 * current size are kept, at most `capacity` of them, so a size change or a burst frees the rest
 * to the collector.
 */
export class PictureBuffers {
  readonly #capacity: number;
  readonly #free: ArrayBuffer[] = [];
  #byteLength = 0;
  #reused = 0;

  /** `capacity`: buffers kept for reuse, at most (default 4). */
  constructor(capacity = 4) {
    this.#capacity = capacity;
  }

  /** A buffer of `byteLength` bytes (its contents undefined), reused when one is free. */
  take(byteLength: number): Uint8Array<ArrayBuffer> {
    if (byteLength !== this.#byteLength) {
      this.#free.length = 0;
      this.#byteLength = byteLength;
    }
    const buffer = this.#free.pop();
    if (buffer) {
      this.#reused++;
      return new Uint8Array(buffer);
    }
    return new Uint8Array(byteLength);
  }

  /**
   * Hands in a picture's bytes that nothing else holds any more. Kept only when they are a whole,
   * attached, non-shared buffer of the size `take` last gave (else left to the collector).
   */
  give(data: Uint8Array): void {
    const { buffer } = data;
    if (
      !(buffer instanceof ArrayBuffer) ||
      // A buffer moved to another thread since (detached) is 0 bytes long.
      buffer.byteLength === 0 ||
      data.byteOffset !== 0 ||
      data.byteLength !== buffer.byteLength ||
      buffer.byteLength !== this.#byteLength ||
      this.#free.length >= this.#capacity ||
      this.#free.includes(buffer)
    ) {
      return;
    }
    this.#free.push(buffer);
  }

  /** Buffers `take` reused instead of allocating. */
  get reused(): number {
    return this.#reused;
  }
}
