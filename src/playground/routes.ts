import type { ModelSnapshot } from '../model.js';
import type { ScenarioSettings } from '../scenario/scenario.js';
import type { RestRoute } from '../transport/rest/route.js';
import { evaluateRoute } from './evaluate.js';
import { liveNamespacesRoute } from './live-namespaces.js';
import { pageRoutes } from './page.js';
import { testFileRoutes } from './test-file.js';

const mib = (n: number) => n * 1024 * 1024;

/** Request bodies the playground reads (a scenario and its questions); the server's own limit applies when lower. */
export const PLAYGROUND_MAX_BODY_SIZE = mib(1);

export interface PlaygroundDeps {
  /** The server's model in force, shown read only. */
  readonly model: () => ModelSnapshot;
  /** The limits and flags the sandbox runs under: the server's. */
  readonly settings: () => ScenarioSettings;
}

/** Everything the playground's listener serves: the page and its API. None of it reads or writes the database. */
export function playgroundRoutes(deps: PlaygroundDeps): RestRoute[] {
  return [...pageRoutes(), evaluateRoute(deps.settings), ...testFileRoutes(deps.settings), liveNamespacesRoute(deps.model)];
}
