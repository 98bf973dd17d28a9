import { wireFormatError } from './errors.ts';
import type { WireReader } from './WireReader.ts';

/** What a pipeline processes: decoded video frames, decoded audio frames. */
export type MediaKind = 'video' | 'audio';

/** Every media kind, in the order a pipeline's `media` lists them. */
export const mediaKinds = ['video', 'audio'] as const satisfies readonly MediaKind[];

/**
 * The media a pipeline processes: its `media` (`['video']`, `['audio']` or both), or video alone
 * when it does not say (pipelines, orchestrators and gateways from before audio pipelines).
 */
export function pipelineMedia(entry: {
  readonly media?: readonly MediaKind[] | undefined;
}): readonly MediaKind[] {
  return entry.media ?? ['video'];
}

/**
 * Checks an entry's optional `media` field: when present, a non-empty array of distinct media
 * kinds. A refusal names the field (`info.pipelines[3].media[1] must be "video" or "audio"`).
 */
export function parseMediaKinds(entry: WireReader, key = 'media'): MediaKind[] | undefined {
  return entry.optional(key, (reader) => {
    const media = reader.array(key, (item, at) => {
      const kind = mediaKinds.find((k) => k === item);
      if (kind !== undefined) return kind;
      const got = (JSON.stringify(item) ?? typeof item).slice(0, 60);
      throw wireFormatError(reader.code, at, `must be "video" or "audio", got ${got}`);
    });
    if (media.length === 0) throw reader.fail(key, 'must list at least one media kind');
    if (new Set(media).size !== media.length) throw reader.fail(key, 'lists a media kind twice');
    return media;
  });
}
