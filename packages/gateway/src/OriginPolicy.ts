import { HttpError } from '@peerframe/core';

/** Headers a CORS answer carries besides the allowed origin. */
const corsAnswerHeaders = {
  'access-control-allow-methods': 'GET, POST, PATCH, DELETE, OPTIONS',
  'access-control-allow-headers': 'authorization, content-type, if-match',
  'access-control-expose-headers':
    'location, etag, link, retry-after, peerframe-playback-url, peerframe-source-playback-url',
  'access-control-max-age': '600',
};

/**
 * Which web pages may use the gateway. A request a page makes carries its `Origin`; clients that
 * are not pages (OBS, ffmpeg, the Node SDK, curl) send none and are not concerned. A page's
 * request is served, with CORS headers naming its origin, only when the origin is allowed; any
 * other page is refused with 403 `origin_not_allowed`, so a site the user happens to visit cannot
 * list, watch, end or re-parameterise the streams of a gateway it can reach (its loopback one).
 * `*` allows every page. The admin API never takes a page's request, whatever is allowed.
 */
export class OriginPolicy {
  readonly #allowed: ReadonlySet<string>;
  readonly #any: boolean;

  /** Throws a `RangeError` naming an entry that is neither an origin (`scheme://host[:port]`) nor `*`. */
  constructor(allowedOrigins: readonly string[]) {
    this.#any = allowedOrigins.includes('*');
    this.#allowed = new Set(allowedOrigins.filter((o) => o !== '*').map(normalizeOrigin));
  }

  /** The allowed origins as given (normalised), `*` included. */
  get allowedOrigins(): string[] {
    return [...(this.#any ? ['*'] : []), ...this.#allowed];
  }

  /** Whether a request with this `Origin` header (undefined: none) may be served. */
  allows(origin: string | undefined, { admin = false }: { admin?: boolean } = {}): boolean {
    if (origin === undefined) return true;
    if (admin) return false;
    return this.#any || this.#allowed.has(origin.toLowerCase());
  }

  /** 403 `origin_not_allowed` for a page whose origin may not use this route. */
  check(origin: string | undefined, { admin = false }: { admin?: boolean } = {}): void {
    if (this.allows(origin, { admin })) return;
    throw new HttpError(
      403,
      'origin_not_allowed',
      admin
        ? `The admin API takes no request from a web page (Origin ${origin})`
        : `Pages from ${origin} may not use this gateway; allowed: ${this.allowedOrigins.join(', ') || 'none'} (--allowed-origin)`,
    );
  }

  /** CORS headers for an answer to a request from `origin` (none for a request without one). */
  corsHeaders(origin: string | undefined, { admin = false }: { admin?: boolean } = {}) {
    const vary = { vary: 'origin' };
    if (origin === undefined || !this.allows(origin, { admin })) return vary;
    return { ...vary, ...corsAnswerHeaders, 'access-control-allow-origin': origin };
  }
}

/** `https://Studio.example:443/` → `https://studio.example`; RangeError for anything but an origin. */
function normalizeOrigin(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new RangeError(`Allowed origin "${value}" is not a URL like https://studio.example`);
  }
  if (
    !/^https?:$/.test(url.protocol) ||
    url.pathname !== '/' ||
    url.search ||
    url.hash ||
    url.username ||
    url.password
  ) {
    throw new RangeError(
      `Allowed origin "${value}" must be scheme://host[:port] only, like https://studio.example`,
    );
  }
  return url.origin;
}
