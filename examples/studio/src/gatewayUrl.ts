/**
 * The gateway this page talks to: `?gateway=` in the page's URL, else the one the studio server
 * wrote into `<meta name="peerframe-gateway">`, else port 8088 on the page's host (`npm start`).
 */
export function gatewayUrlOfPage(): string {
  const fromQuery = new URLSearchParams(window.location.search).get('gateway');
  const fromMeta = document
    .querySelector<HTMLMetaElement>('meta[name="peerframe-gateway"]')
    ?.content.trim();
  const url = fromQuery || fromMeta || `http://${window.location.hostname}:8088`;
  return url.replace(/\/$/, '');
}
