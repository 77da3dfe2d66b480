import { VERSION } from '../../version.js';
import type { RestRoute } from './route.js';

/**
 * The REST API as an OpenAPI 3.0 document, served at `GET /.well-known/openapi.json` on the
 * read, write and OPL ports. Each operation names the ports that serve it in `x-gatehouse-ports`;
 * a test holds the document and the routers to the same routes.
 */

type Json = Readonly<Record<string, unknown>>;

const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: Json, description: string): Json => ({ description, content: { 'application/json': { schema } } });
const query = (name: string, description: string, schema: Json = { type: 'string' }, required = false): Json => ({
  name,
  in: 'query',
  required,
  description,
  schema,
});

const TUPLE_QUERY = [
  query('namespace', 'Namespace of the object.'),
  query('object', 'The object.'),
  query('relation', 'The relation.'),
  query('subject_id', 'A subject id; or give the three subject_set keys.'),
  query('subject_set.namespace', 'Namespace of the subject set.'),
  query('subject_set.object', 'Object of the subject set.'),
  query('subject_set.relation', 'Relation of the subject set.'),
];
const MAX_DEPTH = query('max-depth', 'Depth limit of this request; at most `limit.max_read_depth`.', { type: 'integer' });
const CONSISTENCY = [
  query('snaptoken', 'gatehouse: answer from data at least as fresh as this snaptoken.'),
  query('latest', 'gatehouse: answer from every write committed before the request.', { type: 'boolean' }),
];
const EXPLAIN = query('explain', 'gatehouse: add `explanation`, the steps that decided the answer.', { type: 'boolean' });
const PAGE = [query('page_size', 'Items per page.', { type: 'integer' }), query('page_token', 'Token of the next page, from `next_page_token`.')];
const ERROR = json(ref('ErrorEnvelope'), 'Error, in the Ory envelope.');
const TUPLE_BODY = { required: true, content: { 'application/json': { schema: ref('RelationTuple') } } };
const API_PORTS = ['read', 'write', 'opl'];

interface Operation {
  readonly ports: readonly string[];
  readonly operationId: string;
  readonly summary: string;
  readonly parameters?: readonly Json[];
  readonly requestBody?: Json;
  readonly responses: Readonly<Record<string, Json>>;
}

const check = (operationId: string, summary: string, orError: boolean, body: boolean): Operation => ({
  ports: ['read'],
  operationId,
  summary,
  parameters: [...(body ? [] : TUPLE_QUERY), MAX_DEPTH, ...CONSISTENCY, EXPLAIN],
  ...(body && { requestBody: TUPLE_BODY }),
  responses: {
    200: json(ref('CheckResult'), orError ? 'Allowed.' : 'The answer.'),
    ...(orError && { 403: json(ref('CheckResult'), 'Denied.') }),
    400: ERROR,
  },
});

const OPERATIONS: Readonly<Record<string, Readonly<Record<string, Operation>>>> = {
  '/relation-tuples': {
    get: {
      ports: ['read'],
      operationId: 'getRelationships',
      summary: 'List the relationships matching the query, a page at a time.',
      parameters: [...TUPLE_QUERY, ...PAGE, ...CONSISTENCY],
      responses: { 200: json(ref('RelationshipPage'), 'A page of relationships.'), 400: ERROR, 404: ERROR },
    },
  },
  '/relation-tuples/check': {
    get: check('checkPermissionOrError', 'Check a permission: 200 when allowed, 403 when denied.', true, false),
    post: check('postCheckPermissionOrError', 'Check a permission given as a JSON body: 200 when allowed, 403 when denied.', true, true),
  },
  '/relation-tuples/check/openapi': {
    get: check('checkPermission', 'Check a permission: always 200 with `allowed`.', false, false),
    post: check('postCheckPermission', 'Check a permission given as a JSON body: always 200 with `allowed`.', false, true),
  },
  '/relation-tuples/batch/check': {
    post: {
      ports: ['read'],
      operationId: 'batchCheckPermission',
      summary: 'Check up to `limit.max_batch_check_size` permissions at once.',
      parameters: [MAX_DEPTH, ...CONSISTENCY],
      requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', properties: { tuples: { type: 'array', items: ref('RelationTuple') } } } } } },
      responses: {
        200: json({ type: 'object', properties: { results: { type: 'array', items: { type: 'object', properties: { allowed: { type: 'boolean' }, error: { type: 'string' } } } } } }, 'One result per tuple, in order.'),
        400: ERROR,
      },
    },
  },
  '/relation-tuples/expand': {
    get: {
      ports: ['read'],
      operationId: 'expandPermissions',
      summary: 'Expand the subject set namespace:object#relation into a tree.',
      parameters: [query('namespace', 'Namespace.', undefined, true), query('object', 'Object.', undefined, true), query('relation', 'Relation.', undefined, true), MAX_DEPTH, ...CONSISTENCY],
      responses: { 200: json(ref('ExpandedTree'), 'The tree.'), 400: ERROR, 404: ERROR },
    },
  },
  '/relation-tuples/list-objects': {
    get: {
      ports: ['read'],
      operationId: 'listObjects',
      summary: 'gatehouse: the objects of a namespace on which the subject has the relation.',
      parameters: [query('namespace', 'Namespace of the objects.', undefined, true), query('relation', 'The relation.', undefined, true), ...TUPLE_QUERY.slice(3), MAX_DEPTH, ...PAGE, ...CONSISTENCY],
      responses: {
        200: json({ type: 'object', properties: { objects: { type: 'array', items: { type: 'string' } }, next_page_token: { type: 'string' } } }, 'A page of objects.'),
        400: ERROR,
        404: ERROR,
      },
    },
  },
  '/relation-tuples/list-subjects': {
    get: {
      ports: ['read'],
      operationId: 'listSubjects',
      summary: 'gatehouse: the subjects that have the relation on the object.',
      parameters: [
        query('namespace', 'Namespace of the object.', undefined, true),
        query('object', 'The object.', undefined, true),
        query('relation', 'The relation.', undefined, true),
        query('subject_namespace', 'List subject sets of this namespace instead of subject ids.'),
        query('subject_relation', 'With subject_namespace: the relation of the subject sets.'),
        MAX_DEPTH,
        ...PAGE,
        ...CONSISTENCY,
      ],
      responses: {
        200: json({ type: 'object', properties: { subjects: { type: 'array', items: ref('Subject') }, next_page_token: { type: 'string' } } }, 'A page of subjects.'),
        400: ERROR,
        404: ERROR,
      },
    },
  },
  '/relation-tuples/watch': {
    get: {
      ports: ['read'],
      operationId: 'watchRelationships',
      summary: 'gatehouse: every committed change, in commit order, as Server-Sent Events.',
      parameters: [query('snaptoken', 'Start after this snaptoken (default: now).'), { name: 'Last-Event-ID', in: 'header', required: false, description: 'Resume after this event id; wins over snaptoken.', schema: { type: 'string' } }],
      responses: { 200: { description: 'An event stream.', content: { 'text/event-stream': { schema: { type: 'string' } } } }, 400: ERROR, 410: ERROR, 503: ERROR },
    },
  },
  '/namespaces': {
    get: {
      ports: ['read'],
      operationId: 'listRelationshipNamespaces',
      summary: 'The namespaces of the model in force.',
      responses: { 200: json({ type: 'object', properties: { namespaces: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' } } } } } }, 'The namespaces.') },
    },
  },
  '/admin/relation-tuples': {
    put: {
      ports: ['write'],
      operationId: 'createRelationship',
      summary: 'Insert one relationship.',
      requestBody: TUPLE_BODY,
      responses: { 201: json(ref('RelationTuple'), 'Inserted; `Location` names it.'), 400: ERROR, 404: ERROR },
    },
    delete: {
      ports: ['write'],
      operationId: 'deleteRelationships',
      summary: 'Delete every relationship matching the query (namespace required).',
      parameters: TUPLE_QUERY,
      responses: { 204: { description: 'Deleted.' }, 400: ERROR, 404: ERROR },
    },
    patch: {
      ports: ['write'],
      operationId: 'patchRelationships',
      summary: 'Insert and delete relationships in one transaction.',
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: { type: 'array', items: { type: 'object', properties: { action: { type: 'string', enum: ['insert', 'delete'] }, relation_tuple: ref('RelationTuple') } } },
          },
        },
      },
      responses: { 204: { description: 'Applied.' }, 400: ERROR, 404: ERROR },
    },
  },
  '/opl/syntax/check': {
    post: {
      ports: ['opl'],
      operationId: 'checkOplSyntax',
      summary: 'Parse and type-check an OPL file.',
      requestBody: { required: true, content: { 'text/plain': { schema: { type: 'string' } } } },
      responses: { 200: json({ type: 'object', properties: { errors: { type: 'array', items: { type: 'object' } } } }, 'The errors found (none: an empty list).'), 400: ERROR },
    },
  },
  '/health/alive': {
    get: { ports: [...API_PORTS, 'metrics'], operationId: 'isAlive', summary: 'The process answers.', responses: { 200: json(ref('HealthStatus'), 'Alive.') } },
  },
  '/health/ready': {
    get: {
      ports: [...API_PORTS, 'metrics'],
      operationId: 'isReady',
      summary: 'The database answers, migrations are applied and a model is in force.',
      responses: { 200: json(ref('HealthStatus'), 'Ready.'), 503: json({ type: 'object', properties: { errors: { type: 'object' } } }, 'Not ready, and why.') },
    },
  },
  '/version': {
    get: {
      ports: [...API_PORTS, 'metrics'],
      operationId: 'getVersion',
      summary: 'The version of this build.',
      responses: { 200: json({ type: 'object', properties: { version: { type: 'string' } } }, 'The version.') },
    },
  },
  '/metrics/prometheus': {
    get: {
      ports: ['metrics'],
      operationId: 'prometheus',
      summary: 'Metrics in the Prometheus text format.',
      responses: { 200: { description: 'The metrics.', content: { 'text/plain': { schema: { type: 'string' } } } } },
    },
  },
  '/.well-known/openapi.json': {
    get: { ports: API_PORTS, operationId: 'getOpenApiDocument', summary: 'This document.', responses: { 200: json({ type: 'object' }, 'The OpenAPI document.') } },
  },
};

const SCHEMAS: Json = {
  SubjectSet: {
    type: 'object',
    required: ['namespace', 'object', 'relation'],
    properties: { namespace: { type: 'string' }, object: { type: 'string' }, relation: { type: 'string' } },
  },
  Subject: { type: 'object', properties: { subject_id: { type: 'string' }, subject_set: ref('SubjectSet') } },
  RelationTuple: {
    type: 'object',
    required: ['namespace', 'object', 'relation'],
    properties: { namespace: { type: 'string' }, object: { type: 'string' }, relation: { type: 'string' }, subject_id: { type: 'string' }, subject_set: ref('SubjectSet') },
  },
  RelationshipPage: { type: 'object', properties: { relation_tuples: { type: 'array', items: ref('RelationTuple') }, next_page_token: { type: 'string' } } },
  CheckResult: { type: 'object', required: ['allowed'], properties: { allowed: { type: 'boolean' }, explanation: { type: 'object' } } },
  ExpandedTree: {
    type: 'object',
    properties: {
      type: { type: 'string', enum: ['union', 'exclusion', 'intersection', 'leaf', 'tuple_to_subject_set', 'computed_subject_set', 'not', 'unspecified'] },
      tuple: ref('RelationTuple'),
      children: { type: 'array', items: ref('ExpandedTree') },
    },
  },
  HealthStatus: { type: 'object', properties: { status: { type: 'string' } } },
  ErrorEnvelope: {
    type: 'object',
    properties: {
      error: {
        type: 'object',
        properties: { code: { type: 'integer' }, status: { type: 'string' }, message: { type: 'string' }, reason: { type: 'string' }, request: { type: 'string' }, details: { type: 'object' } },
      },
    },
  },
};

export const OPENAPI_DOCUMENT: Json = {
  openapi: '3.0.3',
  info: {
    title: 'gatehouse',
    description: "Ory Keto's REST API and gatehouse's additions. Each operation lists the ports that serve it in x-gatehouse-ports.",
    version: VERSION,
  },
  paths: Object.fromEntries(
    Object.entries(OPERATIONS).map(([path, methods]) => [
      path,
      Object.fromEntries(Object.entries(methods).map(([method, { ports, ...operation }]) => [method, { ...operation, 'x-gatehouse-ports': ports }])),
    ]),
  ),
  components: { schemas: SCHEMAS },
};

const BODY = JSON.stringify(OPENAPI_DOCUMENT);

export const openApiRoute: RestRoute = {
  method: 'GET',
  path: '/.well-known/openapi.json',
  handle: async () => ({ status: 200, body: BODY, headers: { 'content-type': 'application/json; charset=utf-8' } }),
};
