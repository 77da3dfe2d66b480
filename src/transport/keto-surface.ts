import { notImplemented } from '../errors.js';
import type { GrpcUnaryMethod } from './grpc/method.js';
import type { RestRoute } from './rest/route.js';

/**
 * Keto's whole API surface (REST routes and unary gRPC methods, health and version aside).
 * Whatever no feature provides is still served, answering 501 / UNIMPLEMENTED, so clients
 * see "not implemented" instead of "not found".
 */
export const KETO_REST_ROUTES: readonly { method: RestRoute['method']; path: string }[] = [
  { method: 'GET', path: '/relation-tuples' },
  { method: 'GET', path: '/relation-tuples/check' },
  { method: 'POST', path: '/relation-tuples/check' },
  { method: 'GET', path: '/relation-tuples/check/openapi' },
  { method: 'POST', path: '/relation-tuples/check/openapi' },
  { method: 'POST', path: '/relation-tuples/batch/check' },
  { method: 'GET', path: '/relation-tuples/expand' },
  { method: 'GET', path: '/namespaces' },
  { method: 'PUT', path: '/admin/relation-tuples' },
  { method: 'DELETE', path: '/admin/relation-tuples' },
  { method: 'PATCH', path: '/admin/relation-tuples' },
  { method: 'POST', path: '/opl/syntax/check' },
];

const RT = 'ory.keto.relation_tuples.v1alpha2';
const OPL = 'ory.keto.opl.v1alpha1';

export const KETO_GRPC_METHODS: readonly Omit<GrpcUnaryMethod, 'handle'>[] = [
  { path: `/${RT}.CheckService/Check`, requestType: `${RT}.CheckRequest`, responseType: `${RT}.CheckResponse` },
  {
    path: `/${RT}.CheckService/BatchCheck`,
    requestType: `${RT}.BatchCheckRequest`,
    responseType: `${RT}.BatchCheckResponse`,
  },
  { path: `/${RT}.ExpandService/Expand`, requestType: `${RT}.ExpandRequest`, responseType: `${RT}.ExpandResponse` },
  {
    path: `/${RT}.ReadService/ListRelationTuples`,
    requestType: `${RT}.ListRelationTuplesRequest`,
    responseType: `${RT}.ListRelationTuplesResponse`,
  },
  {
    path: `/${RT}.WriteService/TransactRelationTuples`,
    requestType: `${RT}.TransactRelationTuplesRequest`,
    responseType: `${RT}.TransactRelationTuplesResponse`,
  },
  {
    path: `/${RT}.WriteService/DeleteRelationTuples`,
    requestType: `${RT}.DeleteRelationTuplesRequest`,
    responseType: `${RT}.DeleteRelationTuplesResponse`,
  },
  {
    path: `/${RT}.NamespacesService/ListNamespaces`,
    requestType: `${RT}.ListNamespacesRequest`,
    responseType: `${RT}.ListNamespacesResponse`,
  },
  { path: `/${OPL}.SyntaxService/Check`, requestType: `${OPL}.CheckRequest`, responseType: `${OPL}.CheckResponse` },
];

/** The provided routes plus a 501 route for every Keto route none of them serves. */
export function withUnwiredRoutes(provided: readonly RestRoute[]): RestRoute[] {
  const served = new Set(provided.map((r) => `${r.method} ${r.path}`));
  const missing = KETO_REST_ROUTES.filter((r) => !served.has(`${r.method} ${r.path}`)).map(
    (r): RestRoute => ({
      ...r,
      handle: async () => {
        throw notImplemented(`${r.method} ${r.path}`);
      },
    }),
  );
  return [...provided, ...missing];
}

/** The provided methods plus an UNIMPLEMENTED method for every Keto method none of them serves. */
export function withUnwiredMethods(provided: readonly GrpcUnaryMethod[]): GrpcUnaryMethod[] {
  const served = new Set(provided.map((m) => m.path));
  const missing = KETO_GRPC_METHODS.filter((m) => !served.has(m.path)).map(
    (m): GrpcUnaryMethod => ({
      ...m,
      handle: async () => {
        throw notImplemented(m.path);
      },
    }),
  );
  return [...provided, ...missing];
}
