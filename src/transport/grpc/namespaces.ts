import type { ModelSnapshot } from '../../model.js';
import type { GrpcUnaryMethod } from './method.js';

const PACKAGE = 'ory.keto.relation_tuples.v1alpha2';

/** `NamespacesService.ListNamespaces`: the configured namespaces, in configuration order. */
export function namespacesMethods(deps: { model: () => ModelSnapshot }): GrpcUnaryMethod[] {
  return [
    {
      path: `/${PACKAGE}.NamespacesService/ListNamespaces`,
      requestType: `${PACKAGE}.ListNamespacesRequest`,
      responseType: `${PACKAGE}.ListNamespacesResponse`,
      handle: async () => ({ namespaces: deps.model().namespaces.map((n) => ({ name: n.name })) }),
    },
  ];
}
