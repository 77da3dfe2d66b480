import type { ExplanationJson } from '../../src/api/explanation.js';

/** What the page edits: a model, tuples and assertions, as a model-test file holds them. */
export interface PageScenario {
  model: string;
  tuples: string[];
  assertions: { allowed: string[]; denied: string[] };
}

/** An OPL error or warning: 1-based lines and columns, columns counted in code points. */
export interface Diagnostic {
  severity: 'error' | 'warning';
  message: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export interface ProblemJson {
  message: string;
  reason?: string;
  detail?: string;
}

export interface CheckJson {
  tuple: string;
  allowed: boolean;
  explanation?: ExplanationJson;
  truncated?: boolean;
  error?: ProblemJson;
}

/** `POST /api/assertions`' answer: each assertion as `gatehouse test` judges it, and the scenario's own problems. */
export interface AssertionsJson {
  passed: boolean;
  problems: string[];
  results: { tuple: string; passed: boolean; expected: string; actual: string }[];
}

/** `POST /api/test-file/load`'s answer: the file's first scenario. */
export interface LoadedJson {
  scenario: PageScenario;
  name: string;
  scenarios: number;
}

/** `POST /api/evaluate`'s answer. */
export interface EvaluationJson {
  diagnostics: Diagnostic[];
  tupleProblems: { index: number; error: ProblemJson }[];
  checks: CheckJson[];
}

export interface LiveNamespaceJson {
  name: string;
  relations: { name: string; types: string[] }[];
  permits: string[];
}

export type { ExplanationJson };
