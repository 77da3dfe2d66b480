/**
 * The wire-level validation errors, with the exact messages Keto-compatible clients see.
 * Some of Keto's errors carry only its generic bad-request message; their explanation
 * travels as the error's `cause` so that logs (and a debug field, if one is ever shown)
 * still say what was wrong.
 */
import { GatehouseError } from '../errors.js';

/** The message of a bad request that carries no specific one. */
export const GENERIC_BAD_REQUEST = 'The request was malformed or contained invalid parameters';

const invalid = (message: string, detail?: string, reason?: string) =>
  new GatehouseError('invalid_argument', message, reason, detail === undefined ? undefined : { cause: new Error(detail) });

export const nilSubject = () => invalid('subject is not allowed to be nil', 'Please provide a subject.');

export const incompleteTuple = () =>
  invalid('incomplete tuple, provide "namespace", "object", "relation", and a subject');

export const duplicateSubject = () =>
  invalid(
    'exactly one of subject_set or subject_id has to be provided',
    'please provide either subject_id or all of subject_set.namespace, subject_set.object, and subject_set.relation',
  );

export const incompleteSubject = () =>
  invalid('incomplete subject, provide "subject_id" or a complete "subject_set.*"');

export const droppedSubjectKey = () =>
  invalid(GENERIC_BAD_REQUEST, 'provide "subject_id" or "subject_set.*"; support for "subject" was dropped');

export const malformedString = (detail: string) => invalid('malformed string input', detail);

/** A bad request whose only explanation is Keto's `reason` field (e.g. the DELETE query checks). */
export const badRequestWithReason = (reason: string) => invalid(GENERIC_BAD_REQUEST, undefined, reason);

/** A bad request with a specific message (JSON type errors, number parsing, missing queries). */
export const badRequest = (message: string) => invalid(message);
