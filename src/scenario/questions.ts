import { formatSubject, formatSubjectSet, formatTuple, parseSubject, parseSubjectSet, parseTupleString } from '../api/index.js';
import type { ExpandTree } from '../engine/expand-tree.js';
import { invalidArgument } from '../errors.js';
import type { SubjectSetKind } from '../reader.js';
import { type CheckAnswer, Scenario, type ScenarioDiagnostic, type ScenarioError, scenarioError, type ScenarioInput, type TupleProblem } from './scenario.js';

/** Questions one scenario may ask. */
export const MAX_SCENARIO_QUESTIONS = 10_000;

/**
 * A question about a scenario, with tuples, subjects and subject sets in Keto's string
 * forms (`ns:obj#rel@subject`, `id` or `ns:obj#rel`).
 */
export type Question =
  | { readonly kind: 'check'; readonly tuple: string; readonly explain?: boolean; readonly maxDepth?: number }
  | { readonly kind: 'expand'; readonly subjectSet: string; readonly maxDepth?: number }
  | { readonly kind: 'list-objects'; readonly namespace: string; readonly relation: string; readonly subject: string; readonly maxDepth?: number }
  | {
      readonly kind: 'list-subjects';
      readonly namespace: string;
      readonly object: string;
      readonly relation: string;
      /** Subject sets of this namespace and relation; subject ids when absent. */
      readonly subjectSet?: SubjectSetKind;
      readonly maxDepth?: number;
    };

/** A question's answer: what it asked (normalised), and the answer or the error that prevented one. */
export type Answer =
  | ({ readonly kind: 'check'; readonly tuple: string } & CheckAnswer)
  | { readonly kind: 'expand'; readonly subjectSet: string; readonly tree?: ExpandTree; readonly error?: ScenarioError }
  | { readonly kind: 'list-objects'; readonly objects: string[]; readonly error?: ScenarioError }
  | { readonly kind: 'list-subjects'; readonly subjects: string[]; readonly error?: ScenarioError };

export interface ScenarioResult {
  readonly diagnostics: readonly ScenarioDiagnostic[];
  readonly tupleProblems: readonly TupleProblem[];
  readonly tupleCount: number;
  /** One per question, in order. */
  readonly answers: readonly Answer[];
}

/** Builds the scenario, asks every question in order, and answers. */
export async function evaluateScenario(input: ScenarioInput & { readonly questions?: readonly Question[] }): Promise<ScenarioResult> {
  const questions = input.questions ?? [];
  if (questions.length > MAX_SCENARIO_QUESTIONS) throw invalidArgument(`a scenario asks at most ${MAX_SCENARIO_QUESTIONS} questions`);
  const scenario = new Scenario(input);
  const answers: Answer[] = [];
  for (const q of questions) answers.push(await ask(scenario, q));
  return { diagnostics: scenario.diagnostics, tupleProblems: scenario.tupleProblems, tupleCount: scenario.tupleCount, answers };
}

/** One question's answer; a question that cannot be asked (malformed, unknown namespace …) answers its error. */
export async function ask(scenario: Scenario, q: Question): Promise<Answer> {
  const depth = q.maxDepth === undefined ? {} : { maxDepth: q.maxDepth };
  switch (q.kind) {
    case 'check': {
      const answer = await scenario.check(q.tuple, { explain: q.explain === true, ...depth });
      return { kind: 'check', tuple: normalised(q.tuple, (s) => formatTuple(parseTupleString(s))), ...answer };
    }
    case 'expand': {
      const subjectSet = normalised(q.subjectSet, (s) => formatSubjectSet(parseSubjectSet(s)));
      try {
        const tree = await scenario.expand(q.subjectSet, q.maxDepth);
        return { kind: 'expand', subjectSet, ...(tree === undefined ? {} : { tree }) };
      } catch (err) {
        return { kind: 'expand', subjectSet, error: scenarioError(err) };
      }
    }
    case 'list-objects':
      try {
        return { kind: 'list-objects', objects: await scenario.listObjects({ namespace: q.namespace, relation: q.relation, subject: parseSubject(q.subject), ...depth }) };
      } catch (err) {
        return { kind: 'list-objects', objects: [], error: scenarioError(err) };
      }
    case 'list-subjects':
      try {
        const kind = q.subjectSet === undefined ? {} : { kind: q.subjectSet };
        const subjects = await scenario.listSubjects({ namespace: q.namespace, object: q.object, relation: q.relation, ...kind, ...depth });
        return { kind: 'list-subjects', subjects: subjects.map(formatSubject) };
      } catch (err) {
        return { kind: 'list-subjects', subjects: [], error: scenarioError(err) };
      }
  }
}

/** The canonical string form of the text a question gave, or the text itself when it does not parse. */
function normalised(text: string, format: (s: string) => string): string {
  try {
    return format(text);
  } catch {
    return text;
  }
}
