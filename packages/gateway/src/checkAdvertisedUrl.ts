/**
 * The URL other gateways reach this one at (`advertisedUrl`), checked and reduced to its origin
 * (`https://gw-a.example.net:8443`): other gateways POST their relays' WHEP offers to
 * `<origin>/whep/<playbackId>` and send draining publishers to `<origin>/whip`, so it must be an
 * absolute http(s) URL of a host they can reach, at the root, with nothing but scheme, host and
 * port. Throws a `RangeError` naming what is wrong.
 */
export function checkAdvertisedUrl(value: string, field = 'advertisedUrl'): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new RangeError(
      `${field} must be an absolute URL like http://10.0.0.5:8088, got "${value}"`,
    );
  }
  const problem =
    url.protocol !== 'http:' && url.protocol !== 'https:'
      ? `its scheme is ${url.protocol.replace(/:$/, '')}, not http or https`
      : url.username || url.password
        ? 'it carries credentials'
        : url.pathname !== '/'
          ? `it has a path (${url.pathname}): gateways are reached at the root`
          : url.search || url.hash
            ? 'it has a query or a fragment'
            : unspecifiedHosts.has(url.hostname)
              ? `${url.hostname} is no address another machine can reach: give this gateway's own address or name`
              : undefined;
  if (problem) throw new RangeError(`${field} "${value}" is refused: ${problem}`);
  return url.origin;
}

/** Listening on every interface is no address to reach: other gateways need a real one. */
const unspecifiedHosts: ReadonlySet<string> = new Set(['0.0.0.0', '[::]', '[::0]']);
