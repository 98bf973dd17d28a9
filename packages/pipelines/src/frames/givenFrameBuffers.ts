import type { Frame } from './Frame.ts';

/** Buffers of output frames that their pipeline keeps no reference to. */
const given = new WeakSet<ArrayBufferLike>();

/**
 * Marks `frame`'s buffer as made for this output alone: the pipeline keeps no reference to it, so
 * whoever gets the frame may keep it or hand it on (an inference thread transfers it to the media
 * thread instead of copying it). A pipeline may reuse the buffer of an output frame it did not
 * mark for a later frame. Returns `frame`.
 */
export function giveFrameBuffer(frame: Frame): Frame {
  given.add(frame.data.buffer);
  return frame;
}

/** Whether `data`'s buffer was given with its frame (see {@link giveFrameBuffer}). */
export function isFrameBufferGiven(data: Uint8Array): boolean {
  return given.has(data.buffer);
}
