import type { RestRoute } from './route.js';

export type RouteMatch =
  | { kind: 'route'; route: RestRoute }
  | { kind: 'method_not_allowed'; allowed: string[] }
  | { kind: 'options'; allowed: string[] }
  | { kind: 'not_found' };

/** Exact-path routing: a path names a resource, the method picks its handler. */
export class RestRouter {
  readonly #byPath = new Map<string, Map<string, RestRoute>>();

  constructor(routes: readonly RestRoute[]) {
    for (const route of routes) {
      let methods = this.#byPath.get(route.path);
      if (methods === undefined) this.#byPath.set(route.path, (methods = new Map()));
      if (methods.has(route.method)) throw new Error(`two REST routes for ${route.method} ${route.path}`);
      methods.set(route.method, route);
    }
  }

  get routes(): RestRoute[] {
    return [...this.#byPath.values()].flatMap((methods) => [...methods.values()]);
  }

  match(method: string, path: string): RouteMatch {
    const methods = this.#byPath.get(path);
    if (methods === undefined) return { kind: 'not_found' };
    const route = methods.get(method);
    if (route !== undefined) return { kind: 'route', route };
    const allowed = [...methods.keys(), 'OPTIONS'];
    return method === 'OPTIONS' ? { kind: 'options', allowed } : { kind: 'method_not_allowed', allowed };
  }
}
