import type { AssertionsJson, EvaluationJson, LiveNamespaceJson, LoadedJson, PageScenario } from './wire.js';

/** A failed call, with the message of the server's error envelope. */
export class ApiError extends Error {}

async function call(path: string, init?: RequestInit): Promise<Response> {
  const response = await fetch(path, init);
  if (response.ok) return response;
  let message = `${response.status} ${response.statusText}`;
  try {
    const body = (await response.json()) as { error?: { message?: string; reason?: string } };
    message = [body.error?.message, body.error?.reason].filter(Boolean).join(': ') || message;
  } catch {
    // not an envelope: keep the status line
  }
  throw new ApiError(message);
}

const postJson = (path: string, body: unknown) =>
  call(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** Evaluates the model and tuples on the server's sandbox and answers the checks. */
export async function evaluate(model: string, tuples: string[], checks: string[], explain: boolean): Promise<EvaluationJson> {
  return (await postJson('/api/evaluate', { model, tuples, checks, explain })).json() as Promise<EvaluationJson>;
}

export async function liveNamespaces(): Promise<LiveNamespaceJson[]> {
  return ((await (await call('/api/namespaces')).json()) as { namespaces: LiveNamespaceJson[] }).namespaces;
}

/** Runs the scenario's assertions as `gatehouse test` runs its file. */
export async function runAssertions(scenario: PageScenario): Promise<AssertionsJson> {
  return (await postJson('/api/assertions', scenario)).json() as Promise<AssertionsJson>;
}

/** The scenario as a model-test file. */
export async function saveTestFile(scenario: PageScenario): Promise<string> {
  return (await postJson('/api/test-file/save', scenario)).text();
}

/** A model-test file's first scenario. */
export async function loadTestFile(text: string): Promise<LoadedJson> {
  return (await call('/api/test-file/load', { method: 'POST', headers: { 'content-type': 'text/yaml' }, body: text })).json() as Promise<LoadedJson>;
}
