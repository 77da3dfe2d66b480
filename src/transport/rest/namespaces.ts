import type { ModelSnapshot } from '../../model.js';
import type { RestRoute } from './route.js';

/** `GET /namespaces`: the configured namespaces, in configuration order. */
export function namespaceRoutes(deps: { model: () => ModelSnapshot }): RestRoute[] {
  return [
    {
      method: 'GET',
      path: '/namespaces',
      handle: async () => ({ status: 200, body: { namespaces: deps.model().namespaces.map((n) => ({ name: n.name })) } }),
    },
  ];
}
