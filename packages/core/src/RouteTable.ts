import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from './HttpError.ts';

/** The values of a route's `:name` segments, by name. */
export type RouteParams = Readonly<Record<string, string>>;

/** What a route's handler gets: the request, its response, its parsed URL and path params. */
export type RouteRequest = {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  params: RouteParams;
};

export type RouteHandler = (request: RouteRequest) => Promise<void> | void;

/** 405: the path exists, the method does not; `allow` lists the methods it takes (the `Allow` header). */
export class MethodNotAllowedError extends HttpError {
  override name = 'MethodNotAllowedError';
  readonly allow: readonly string[];

  constructor(method: string, pathname: string, allow: readonly string[]) {
    super(
      405,
      'method_not_allowed',
      `${method} is not allowed on ${pathname}; it takes ${allow.join(', ')}`,
    );
    this.allow = allow;
  }
}

type Route = { method: string; segments: readonly string[]; handler: RouteHandler };

/**
 * A table of (method, path pattern) → handler. Patterns are literal segments and `:name`
 * segments (`/sessions/:id/params`), each matching one non-empty segment as it is (not decoded). A path no pattern
 * matches is a 404 `not_found`; a path some pattern matches with another method is a 405
 * `method_not_allowed` naming the methods it takes.
 */
export class RouteTable {
  readonly #routes: Route[] = [];

  /** Adds a route; the first route added that matches wins. Returns the table, for chaining. */
  add(method: string, pattern: string, handler: RouteHandler): this {
    this.#routes.push({ method, segments: pattern.split('/').filter(Boolean), handler });
    return this;
  }

  /** Runs the handler of the route that matches the request, or throws the 404 or 405. */
  async dispatch(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const method = req.method ?? 'GET';
    const parts = url.pathname.split('/').filter(Boolean);
    const allow: string[] = [];
    for (const route of this.#routes) {
      const params = matchSegments(route.segments, parts);
      if (!params) continue;
      if (route.method === method) return route.handler({ req, res, url, params });
      if (!allow.includes(route.method)) allow.push(route.method);
    }
    if (allow.length > 0) throw new MethodNotAllowedError(method, url.pathname, allow);
    throw new HttpError(404, 'not_found', `No route for ${method} ${url.pathname}`);
  }
}

function matchSegments(pattern: readonly string[], parts: readonly string[]): RouteParams | null {
  if (pattern.length !== parts.length) return null;
  const params: Record<string, string> = {};
  for (const [i, segment] of pattern.entries()) {
    const part = parts[i] as string;
    if (segment.startsWith(':')) params[segment.slice(1)] = part;
    else if (segment !== part) return null;
  }
  return params;
}
