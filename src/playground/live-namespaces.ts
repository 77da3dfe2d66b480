import type { ModelSnapshot, RelationType } from '../model.js';
import type { RestRoute } from '../transport/rest/route.js';

/** One namespace of the live model as the playground lists it. */
export interface LiveNamespaceJson {
  name: string;
  /** Relations stored as tuples, each with the subject types it takes (`User`, `Group#members`). */
  relations: { name: string; types: string[] }[];
  /** Permits: relations computed by a rewrite. */
  permits: string[];
}

const typeName = (t: RelationType) => (t.relation === undefined ? t.namespace : `${t.namespace}#${t.relation}`);

/** `GET /api/namespaces`: the server's model in force, read only. */
export function liveNamespacesRoute(model: () => ModelSnapshot): RestRoute {
  return {
    method: 'GET',
    path: '/api/namespaces',
    handle: () => ({
      status: 200,
      body: {
        namespaces: model().namespaces.map(
          (n): LiveNamespaceJson => ({
            name: n.name,
            relations: n.relations.filter((r) => r.rewrite === undefined).map((r) => ({ name: r.name, types: r.types.map(typeName) })),
            permits: n.relations.filter((r) => r.rewrite !== undefined).map((r) => r.name),
          }),
        ),
      },
    }),
  };
}
