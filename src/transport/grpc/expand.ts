import { expandRequestSubject, expandTreeToProto, maxDepthFromProto, subjectIdExpandTreeToProto } from '../../api/index.js';
import type { ExpandEngine } from '../../engine/expand-engine.js';
import type { GrpcUnaryMethod } from './method.js';

const PACKAGE = 'ory.keto.relation_tuples.v1alpha2';

/**
 * `ExpandService.Expand`: a subject id expands to a single leaf; a subject set to Keto's
 * tree (no tree when strict mode finds nothing to expand; NOT_FOUND for an unknown namespace).
 */
export function expandMethods(deps: { engine: ExpandEngine }): GrpcUnaryMethod[] {
  return [
    {
      path: `/${PACKAGE}.ExpandService/Expand`,
      requestType: `${PACKAGE}.ExpandRequest`,
      responseType: `${PACKAGE}.ExpandResponse`,
      async handle(request) {
        const subject = expandRequestSubject(request);
        if ('id' in subject) return { tree: subjectIdExpandTreeToProto(subject.id) };
        const tree = await deps.engine.expand(subject.set, maxDepthFromProto(request));
        return { tree: tree === undefined ? null : expandTreeToProto(tree) };
      },
    },
  ];
}
