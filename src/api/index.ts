/**
 * The wire codecs: the one place where Keto's wire forms become domain values and back.
 * Every parse failure throws GatehouseError('invalid_argument', <Keto's message>).
 *
 * keto-json.ts     decodeKetoTuple(value, place?): KetoTupleJson        type-checked body, unvalidated
 *                  tupleFromKeto(t: KetoTupleJson): RelationTuple        needs a subject; both → subject_id
 *                  parseKetoTuple(value, place?): RelationTuple          the two above
 *                  tupleToKeto(t): KetoTupleJson · subjectToKeto(s?) · subjectSetToKeto(s) · relationTuplesPageToKeto(tuples, nextPageToken)
 * keto-bodies.ts   parsePatchDeltas(body): RelationTupleDelta[]          PATCH /admin/relation-tuples
 *                  decodeBatchCheckBody(body): KetoTupleJson[]           POST /relation-tuples/batch/check
 *                  decodeCheckBody(() => …): T                           check routes: "could not unmarshal json: …"
 * url-query.ts     relationQueryFromUrlQuery(q): RelationQuery · relationTupleFromUrlQuery(q): RelationTuple
 *                  subjectSetFromUrlQuery(q): SubjectSet (expand) · validateDeleteQuery(q, body): void
 *                  relationQueryToUrlQuery(query): string · relationTupleToUrlQuery(t): string
 *                  relationTupleLocation(t): string                      `/relation-tuples?…` for PUT's Location
 * request-params.ts maxDepthFromUrlQuery(q): number · pageRequestFromUrlQuery(q): PageRequest
 *                  pageRequestFromProto(msg): PageRequest · clampPageSize(n) · DEFAULT_PAGE_SIZE · MAX_PAGE_SIZE
 * tuple-string.ts  parseTupleString(s): RelationTuple · formatTuple(t): string
 *                  parseSubject(s): Subject · formatSubject(s) · parseSubjectSet(s): SubjectSet · formatSubjectSet(s)
 * proto.ts         tupleFromProto(msg): RelationTuple · ketoTupleFromProto(msg): KetoTupleJson · tupleToProto(t)
 *                  subjectFromProto(msg): Subject | undefined · subjectToProto(s)
 *                  relationQueryFromProto(msg): RelationQuery · relationQueryToProto(q)
 *                  checkRequestTuple(msg) · listRequestQuery(msg) · deleteRequestQuery(msg)
 *                  transactRequestDeltas(msg): {insert, delete} · expandRequestSubject(msg): Subject · maxDepthFromProto(msg)
 * expand-tree.ts   expandTreeToKeto(tree) · expandTreeToKetoJson(tree) (the same as JSON text, any depth)
 *                  expandTreeDeeperThan(tree, levels) · expandTreeToProto(tree) · subjectIdExpandTreeToProto(id)
 *                  (the tree itself, ExpandTree and expandNode, is the engine's: src/engine/expand-tree.ts)
 * errors.ts        Keto's validation errors (nilSubject, incompleteTuple, …) and GENERIC_BAD_REQUEST
 */
export * from './errors.js';
export * from './expand-tree.js';
export * from './explanation.js';
export * from './keto-bodies.js';
export * from './keto-json.js';
export * from './lookup-params.js';
export * from './proto.js';
export * from './request-params.js';
export * from './tuple-string.js';
export * from './url-query.js';
export type { GoJsonPlace } from './go-json.js';
