import { notImplemented } from '../errors.js';
import type { GrpcUnaryMethod } from './grpc/method.js';
import type { RestRoute } from './rest/route.js';

/** The three API ports; each serves its own routes and services (health, version and reflection aside). */
export type ApiName = 'read' | 'write' | 'opl';

/**
 * Keto's whole API surface (REST routes and unary gRPC methods, health and version aside),
 * each with the one port that serves it, as Keto registers them (`internal/driver/daemon.go`:
 * ReadRouter, WriteRouter, OPLSyntaxRouter). Whatever no feature provides is still served on
 * its port, answering 501 / UNIMPLEMENTED, so clients see "not implemented" instead of "not found".
 */
export const KETO_REST_ROUTES: readonly { method: RestRoute['method']; path: string; api: ApiName }[] = [
  { method: 'GET', path: '/relation-tuples', api: 'read' },
  { method: 'GET', path: '/relation-tuples/check', api: 'read' },
  { method: 'POST', path: '/relation-tuples/check', api: 'read' },
  { method: 'GET', path: '/relation-tuples/check/openapi', api: 'read' },
  { method: 'POST', path: '/relation-tuples/check/openapi', api: 'read' },
  { method: 'POST', path: '/relation-tuples/batch/check', api: 'read' },
  { method: 'GET', path: '/relation-tuples/expand', api: 'read' },
  { method: 'GET', path: '/namespaces', api: 'read' },
  { method: 'PUT', path: '/admin/relation-tuples', api: 'write' },
  { method: 'DELETE', path: '/admin/relation-tuples', api: 'write' },
  { method: 'PATCH', path: '/admin/relation-tuples', api: 'write' },
  { method: 'POST', path: '/opl/syntax/check', api: 'opl' },
];

/** gatehouse's own routes beyond Keto's, each with the port that serves it. */
export const GATEHOUSE_REST_ROUTES: readonly { method: RestRoute['method']; path: string; api: ApiName }[] = [
  { method: 'GET', path: '/relation-tuples/list-objects', api: 'read' },
  { method: 'GET', path: '/relation-tuples/list-subjects', api: 'read' },
];

/** Every REST route of the API ports, Keto's and gatehouse's, whose answer is one body. */
export const API_REST_ROUTES = [...KETO_REST_ROUTES, ...GATEHOUSE_REST_ROUTES];

/** gatehouse's REST routes whose answer is a stream that lasts until the client leaves (Server-Sent Events). */
export const GATEHOUSE_STREAM_ROUTES: readonly { method: RestRoute['method']; path: string; api: ApiName }[] = [
  { method: 'GET', path: '/relation-tuples/watch', api: 'read' },
];

const RT = 'ory.keto.relation_tuples.v1alpha2';
const OPL = 'ory.keto.opl.v1alpha1';

export const KETO_GRPC_METHODS: readonly (Omit<GrpcUnaryMethod, 'handle'> & { api: ApiName })[] = [
  { path: `/${RT}.CheckService/Check`, requestType: `${RT}.CheckRequest`, responseType: `${RT}.CheckResponse`, api: 'read' },
  {
    path: `/${RT}.CheckService/BatchCheck`,
    requestType: `${RT}.BatchCheckRequest`,
    responseType: `${RT}.BatchCheckResponse`,
    api: 'read',
  },
  { path: `/${RT}.ExpandService/Expand`, requestType: `${RT}.ExpandRequest`, responseType: `${RT}.ExpandResponse`, api: 'read' },
  {
    path: `/${RT}.ReadService/ListRelationTuples`,
    requestType: `${RT}.ListRelationTuplesRequest`,
    responseType: `${RT}.ListRelationTuplesResponse`,
    api: 'read',
  },
  {
    path: `/${RT}.WriteService/TransactRelationTuples`,
    requestType: `${RT}.TransactRelationTuplesRequest`,
    responseType: `${RT}.TransactRelationTuplesResponse`,
    api: 'write',
  },
  {
    path: `/${RT}.WriteService/DeleteRelationTuples`,
    requestType: `${RT}.DeleteRelationTuplesRequest`,
    responseType: `${RT}.DeleteRelationTuplesResponse`,
    api: 'write',
  },
  {
    path: `/${RT}.NamespacesService/ListNamespaces`,
    requestType: `${RT}.ListNamespacesRequest`,
    responseType: `${RT}.ListNamespacesResponse`,
    api: 'read',
  },
  { path: `/${OPL}.SyntaxService/Check`, requestType: `${OPL}.CheckRequest`, responseType: `${OPL}.CheckResponse`, api: 'opl' },
];

/** gatehouse's own gRPC methods (package gatehouse.v1), each with the port that serves it. */
export const GATEHOUSE_GRPC_METHODS: readonly { path: string; requestType: string; responseType: string; streaming: boolean; api: ApiName }[] = [
  { path: '/gatehouse.v1.WatchService/Watch', requestType: 'gatehouse.v1.WatchRequest', responseType: 'gatehouse.v1.WatchResponse', streaming: true, api: 'read' },
  { path: '/gatehouse.v1.LookupService/ListObjects', requestType: 'gatehouse.v1.ListObjectsRequest', responseType: 'gatehouse.v1.ListObjectsResponse', streaming: true, api: 'read' },
  { path: '/gatehouse.v1.LookupService/ListSubjects', requestType: 'gatehouse.v1.ListSubjectsRequest', responseType: 'gatehouse.v1.ListSubjectsResponse', streaming: true, api: 'read' },
  { path: '/gatehouse.v1.ExplainService/Check', requestType: 'gatehouse.v1.ExplainCheckRequest', responseType: 'gatehouse.v1.ExplainCheckResponse', streaming: false, api: 'read' },
];

/** The provided routes plus a 501 route for every Keto route none of them serves. */
export function withUnwiredRoutes(provided: readonly RestRoute[]): RestRoute[] {
  const served = new Set(provided.map((r) => `${r.method} ${r.path}`));
  const missing = KETO_REST_ROUTES.filter((r) => !served.has(`${r.method} ${r.path}`)).map(
    ({ method, path }): RestRoute => ({
      method,
      path,
      handle: async () => {
        throw notImplemented(`${method} ${path}`);
      },
    }),
  );
  return [...provided, ...missing];
}

/** The provided methods plus an UNIMPLEMENTED method for every Keto method none of them serves. */
export function withUnwiredMethods(provided: readonly GrpcUnaryMethod[]): GrpcUnaryMethod[] {
  const served = new Set(provided.map((m) => m.path));
  const missing = KETO_GRPC_METHODS.filter((m) => !served.has(m.path)).map(
    ({ path, requestType, responseType }): GrpcUnaryMethod => ({
      path,
      requestType,
      responseType,
      handle: async () => {
        throw notImplemented(path);
      },
    }),
  );
  return [...provided, ...missing];
}

/** The port that serves a REST route; throws for a route outside Keto's and gatehouse's surface, so none is served by accident. */
export function apiOfRoute(route: { method: string; path: string }): ApiName {
  const known = [...API_REST_ROUTES, ...GATEHOUSE_STREAM_ROUTES].find((r) => r.method === route.method && r.path === route.path);
  if (known === undefined) throw new Error(`${route.method} ${route.path} is not one of the API's routes: no port serves it`);
  return known.api;
}

/** The port that serves a gRPC method; throws for a method outside Keto's and gatehouse's services. */
export function apiOfMethod(method: { path: string }): ApiName {
  const known = [...KETO_GRPC_METHODS, ...GATEHOUSE_GRPC_METHODS].find((m) => m.path === method.path);
  if (known === undefined) throw new Error(`${method.path} is not one of the API's methods: no port serves it`);
  return known.api;
}
