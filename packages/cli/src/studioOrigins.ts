/**
 * The origins a browser gives the studio's pages when it is served on `host:port`: the gateway
 * must allow them (CORS, control channel) for the studio to work. On a loopback or wildcard host
 * both `127.0.0.1` and `localhost` are listed, since either may be typed in the address bar.
 */
export function studioOrigins(host: string, port: number): string[] {
  if (port === 0) {
    throw new RangeError(
      'The studio needs a fixed port (--studio-port): the gateway allows its origin from the start',
    );
  }
  const loopback = ['127.0.0.1', 'localhost', '0.0.0.0', '::', '::1'].includes(host);
  const hosts = loopback ? ['127.0.0.1', 'localhost'] : [host.includes(':') ? `[${host}]` : host];
  return hosts.map((h) => `http://${h}:${port}`);
}
