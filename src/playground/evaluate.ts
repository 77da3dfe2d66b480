import { explanationToJson } from '../api/explanation.js';
import { invalidArgument } from '../errors.js';
import { evaluateScenario } from '../scenario/questions.js';
import type { ScenarioSettings } from '../scenario/scenario.js';
import type { RestRoute } from '../transport/rest/route.js';
import { modelText, objectWith, strings } from './request-body.js';

/** Checks one playground request may ask (the scenario core allows more; a page asks a handful). */
export const MAX_PLAYGROUND_CHECKS = 1_000;
/** An explanation holds up to MAX_EXPLAINED_STEPS steps: a request has one explained. */
const MAX_EXPLAINED_CHECKS = 1;

/** `POST /api/evaluate`'s body: a model, tuples in string form, and tuples to check. */
interface EvaluateBody {
  model: string;
  tuples: string[];
  checks: string[];
  explain: boolean;
}

function decodeEvaluateBody(json: unknown): EvaluateBody {
  const body = objectWith(json, ['model', 'tuples', 'checks', 'explain']);
  if (body.explain !== undefined && typeof body.explain !== 'boolean') throw invalidArgument('explain must be a boolean');
  const checks = strings(body.checks, 'checks');
  if (checks.length > MAX_PLAYGROUND_CHECKS) throw invalidArgument(`at most ${MAX_PLAYGROUND_CHECKS} checks a request`);
  if (body.explain === true && checks.length > MAX_EXPLAINED_CHECKS) throw invalidArgument(`explain asks at most ${MAX_EXPLAINED_CHECKS} check a request`);
  return { model: modelText(body.model), tuples: strings(body.tuples, 'tuples'), checks, explain: body.explain === true };
}

/**
 * `POST /api/evaluate`: builds the scenario on a sandbox (the scenario core's in-memory
 * index; nothing is written anywhere) and answers the model's diagnostics, the tuples it
 * refused and each check, explained when asked.
 */
export function evaluateRoute(settings: () => ScenarioSettings): RestRoute {
  return {
    method: 'POST',
    path: '/api/evaluate',
    async handle(req) {
      const body = decodeEvaluateBody(req.json());
      const result = await evaluateScenario({
        model: body.model,
        tuples: body.tuples,
        settings: settings(),
        questions: body.checks.map((tuple) => ({ kind: 'check', tuple, explain: body.explain })),
      });
      const checks = result.answers.map((answer) => {
        if (answer.kind !== 'check') throw new Error('a check question answered something else');
        const { explanation, ...rest } = answer;
        return explanation === undefined ? rest : { ...rest, explanation: explanationToJson(explanation) };
      });
      return { status: 200, body: { diagnostics: result.diagnostics, tupleProblems: result.tupleProblems, checks } };
    },
  };
}
