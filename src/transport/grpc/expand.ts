import { expandRequestSubject, expandTreeDeeperThan, expandTreeToProto, maxDepthFromProto, subjectIdExpandTreeToProto } from '../../api/index.js';
import { GatehouseError } from '../../errors.js';
import type { ExpandEngine } from '../../engine/expand-engine.js';
import { type ReadConsistency, SNAPTOKEN_HEADER, UNVERSIONED } from '../consistency.js';
import { requestedConsistency } from './consistency.js';
import type { GrpcUnaryMethod } from './method.js';

const PACKAGE = 'ory.keto.relation_tuples.v1alpha2';

/** How deep protobuf nests messages: protoc's default recursion limit, which protobufjs and most clients enforce. */
const PROTOBUF_NESTING_LIMIT = 100;
/**
 * Levels below the root a gRPC expand tree may have: ExpandResponse, then a SubjectTree per
 * level, and under the deepest one its RelationTuple, Subject and SubjectSet must stay within
 * PROTOBUF_NESTING_LIMIT. A deeper tree (limit.max_read_depth may be up to 65535) is refused.
 */
export const MAX_GRPC_EXPAND_TREE_DEPTH = PROTOBUF_NESTING_LIMIT - 4;

/**
 * `ExpandService.Expand`: a subject id expands to a single leaf; a subject set to Keto's
 * tree (no tree when strict mode finds nothing to expand; NOT_FOUND for an unknown namespace).
 */
export function expandMethods(deps: { engine: ExpandEngine; consistency?: ReadConsistency }): GrpcUnaryMethod[] {
  return [
    {
      path: `/${PACKAGE}.ExpandService/Expand`,
      requestType: `${PACKAGE}.ExpandRequest`,
      responseType: `${PACKAGE}.ExpandResponse`,
      async handle(request, call) {
        const subject = expandRequestSubject(request);
        const read = await (deps.consistency ?? UNVERSIONED).pin(requestedConsistency(request));
        if (read.snaptoken !== undefined) call?.setHeader(SNAPTOKEN_HEADER, read.snaptoken);
        if ('id' in subject) return { tree: subjectIdExpandTreeToProto(subject.id) };
        const tree = await deps.engine.expand(subject.set, maxDepthFromProto(request), read.consistency, call?.signal);
        if (tree === undefined) return { tree: null };
        if (expandTreeDeeperThan(tree, MAX_GRPC_EXPAND_TREE_DEPTH)) throw treeTooDeep();
        return { tree: expandTreeToProto(tree) };
      },
    },
  ];
}

const treeTooDeep = () =>
  new GatehouseError(
    'payload_too_large',
    `the expand tree is deeper than the ${MAX_GRPC_EXPAND_TREE_DEPTH} levels a gRPC answer can carry ` +
      `(protobuf nests messages ${PROTOBUF_NESTING_LIMIT} deep at most): ask with a lower max_depth, or use REST`,
  );
