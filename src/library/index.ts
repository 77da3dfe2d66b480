/** gatehouse as a library: the package's entry (`import { createGatehouse } from 'gatehouse-server'`). */
export {
  createGatehouse,
  type CallOptions,
  type Changes,
  type CommonOptions,
  type DatabaseOptions,
  type Gatehouse,
  type GatehouseOptions,
  type ListObjectsQuery,
  type ListSubjectsQuery,
  type MemoryOptions,
  type TupleInput,
} from './gatehouse.js';
export type { EngineLogger } from './engines.js';
export { GatehouseError, type ErrorKind } from '../errors.js';
export type { RelationTuple, Subject, SubjectSet } from '../tuple.js';
export type { BatchCheckResult, ExplainedCheck } from '../engine/check-engine.js';
export type { Explanation, StepResult } from '../engine/explanation.js';
export type { ExpandNodeType, ExpandTree, ExpandTreeTuple } from '../engine/expand-tree.js';
export type { LookupPage } from '../engine/lookup-engine.js';
export type { Limitation } from '../engine/outcome.js';
