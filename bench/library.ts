import { newEnforcer, newModelFromString } from 'casbin';
import { Oso } from 'oso';
import { CheckEngine } from '../src/engine/check-engine.js';
import { defaultCheckSettings } from '../src/engine/limits.js';
import { TupleIndex } from '../src/index/tuple-index.js';
import { createGatehouse } from '../src/library/index.js';
import { compiledModel } from '../src/library/memory.js';
import { configOf } from '../src/config/load.js';
import { currentReads } from '../src/reader.js';
import type { RelationTuple } from '../src/tuple.js';
import { type Figure, printFigure, quantile } from './figure.js';

/**
 * In-process check latency on one nested-group question, answered by gatehouse's library
 * API (`createGatehouse` in memory, each check awaited), by the engine a server runs (over
 * its in-memory index, synchronously), by casbin (RBAC with a role hierarchy, documents as
 * roles, `enforceSync`) and by oso (a Polar policy over plain objects), at ~122k and ~1.02M
 * facts. The facts, per top-level group: 3 middle groups in it, 3 leaf groups in each
 * middle group, 10 users in each leaf group, 20 documents viewable by it: 122 facts. The
 * question: may a user view a document (three group hops away)? Allowed, always.
 *
 * `node dist/bench/library.js [ms per figure, default 2000] [top groups …, default 1000 8360]`
 */
const budgetMs = Number(process.argv[2] ?? 2000);
const sizes = process.argv.length > 3 ? process.argv.slice(3).map(Number) : [1000, 8360];
const TARGET_FACTOR = 10;
const SAMPLES = 2000;

const MODEL = `import { Namespace } from "@ory/keto-namespace-types"

class User implements Namespace {}

class Group implements Namespace {
  related: { member: (User | SubjectSet<Group, "member">)[] }
}

class Doc implements Namespace {
  related: { viewer: SubjectSet<Group, "member">[] }
}
`;

const CASBIN_MODEL = `
[request_definition]
r = sub, obj
[policy_definition]
p = sub, obj
[role_definition]
g = _, _
[policy_effect]
e = some(where (p.eft == allow))
[matchers]
m = g(r.sub, r.obj)
`;

const POLAR = `
allow(user: User, "view", doc: Doc) if group in user.groups and reaches(group, doc);
reaches(group: Group, doc: Doc) if group in doc.viewers;
reaches(group: Group, doc: Doc) if parent in group.parents and reaches(parent, doc);
`;

class User {
  readonly groups: Group[] = [];
  constructor(readonly name: string) {}
}
class Group {
  readonly parents: Group[] = [];
  constructor(readonly name: string) {}
}
class Doc {
  readonly viewers: Group[] = [];
  constructor(readonly name: string) {}
}

/** The object of `map` called `name`, made on first use. */
function named<T>(map: Map<string, T>, name: string, make: new (name: string) => T): T {
  let found = map.get(name);
  if (found === undefined) map.set(name, (found = new make(name)));
  return found;
}

/** One fact: `child` is in `parent` (a user or group in a group, a top group viewing a document). */
interface Fact {
  readonly child: string;
  readonly parent: string;
  readonly kind: 'user' | 'group' | 'viewer';
}

function* factsOf(tops: number): Generator<Fact> {
  for (let t = 0; t < tops; t++) {
    for (let m = 0; m < 3; m++) {
      const mid = t * 3 + m;
      yield { child: `m${mid}`, parent: `t${t}`, kind: 'group' };
      for (let l = 0; l < 3; l++) {
        const leaf = mid * 3 + l;
        yield { child: `l${leaf}`, parent: `m${mid}`, kind: 'group' };
        for (let u = 0; u < 10; u++) yield { child: `u${leaf * 10 + u}`, parent: `l${leaf}`, kind: 'user' };
      }
    }
    for (let d = 0; d < 20; d++) yield { child: `t${t}`, parent: `d${t * 20 + d}`, kind: 'viewer' };
  }
}

const memberOf = (group: string) => ({ namespace: 'Group', object: group, relation: 'member' });

function tupleOf(f: Fact): RelationTuple {
  if (f.kind === 'viewer') return { namespace: 'Doc', object: f.parent, relation: 'viewer', subject: { set: memberOf(f.child) } };
  return { ...memberOf(f.parent), subject: f.kind === 'user' ? { id: f.child } : { set: memberOf(f.child) } };
}

/** Allowed questions: a document and a user of a leaf under the top group that views it. */
function questionsOf(tops: number): { user: string; doc: string }[] {
  let seed = 42;
  const random = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  return Array.from({ length: SAMPLES }, () => {
    const top = random(tops);
    const leaf = top * 9 + random(9);
    return { user: `u${leaf * 10 + random(10)}`, doc: `d${top * 20 + random(20)}` };
  });
}

/** Median µs per check, from batches of 100 checks run for `budgetMs`. */
async function medianMicros(questions: readonly unknown[], check: (q: never) => boolean | Promise<boolean>): Promise<number> {
  const run = check as (q: unknown) => boolean | Promise<boolean>;
  for (const q of questions) if ((await run(q)) !== true) throw new Error(`denied: ${JSON.stringify(q)}`);
  const perCheck: number[] = [];
  const deadline = performance.now() + budgetMs;
  let i = 0;
  while (performance.now() < deadline) {
    const started = performance.now();
    for (let b = 0; b < 100; b++) await run(questions[i++ % questions.length]);
    perCheck.push(((performance.now() - started) * 1000) / 100);
  }
  perCheck.sort((a, b) => a - b);
  return Math.round(quantile(perCheck, 0.5) * 1000) / 1000;
}

for (const tops of sizes) {
  const facts = [...factsOf(tops)];
  const part = `in-process check, 3 levels of nested groups (${facts.length} facts)`;
  const questions = questionsOf(tops);
  const figure = (name: string, value: number, extra: Partial<Figure> = {}) => printFigure({ part, name, value, unit: 'µs/check', ...extra });
  /** Checks as an application passes them: decoded from JSON, not built by this generator. */
  const tuples: RelationTuple[] = JSON.parse(
    JSON.stringify(questions.map((q) => ({ namespace: 'Doc', object: q.doc, relation: 'viewer', subject: { id: q.user } }))),
  );

  const gatehouse = await createGatehouse({ model: MODEL, tuples: facts.map(tupleOf) });
  const library = await medianMicros(tuples, (t: RelationTuple) => gatehouse.check(t));
  await gatehouse.close();
  figure('gatehouse library API (createGatehouse in memory, check awaited): median', library);

  const index = new TupleIndex();
  for (const f of facts) index.insert(tupleOf(f));
  index.compact();
  const model = compiledModel(MODEL, configOf({ dsn: 'memory' }));
  const engine = new CheckEngine({ reads: currentReads(index), model: () => model, settings: () => defaultCheckSettings });
  figure("gatehouse server's engine over its index (synchronous): median", await medianMicros(tuples, (t: RelationTuple) => engine.check(t) as boolean));
  index.clear();

  const enforcer = await newEnforcer(newModelFromString(CASBIN_MODEL));
  await enforcer.addGroupingPolicies(facts.map((f) => [f.child, f.parent]));
  const casbin = await medianMicros(questions, (q: { user: string; doc: string }) => enforcer.enforceSync(q.user, q.doc));
  figure('casbin (RBAC, role hierarchy, documents as roles, enforceSync): median', casbin);

  let oso: number | undefined;
  try {
    const polar = new Oso();
    polar.registerClass(User);
    polar.registerClass(Group);
    polar.registerClass(Doc);
    await polar.loadStr(POLAR);
    const users = new Map<string, User>();
    const groups = new Map<string, Group>();
    const docs = new Map<string, Doc>();
    const group = (name: string) => named(groups, name, Group);
    for (const f of facts) {
      if (f.kind === 'user') named(users, f.child, User).groups.push(group(f.parent));
      else if (f.kind === 'group') group(f.child).parents.push(group(f.parent));
      else named(docs, f.parent, Doc).viewers.push(group(f.child));
    }
    oso = await medianMicros(questions, (q: { user: string; doc: string }) => polar.isAllowed(users.get(q.user)!, 'view', docs.get(q.doc)!));
    figure('oso (Polar policy over objects, isAllowed awaited): median', oso);
  } catch (err) {
    console.log(`oso could not be measured: ${err instanceof Error ? err.message : String(err)}`);
  }

  const best = Math.min(casbin, oso ?? Infinity);
  const factor = Math.round((best / library) * 10) / 10;
  printFigure({
    part,
    name: 'library API speed-up over the best of casbin and oso',
    value: factor,
    unit: '×',
    target: `≥ ${TARGET_FACTOR}×`,
    met: factor >= TARGET_FACTOR,
  });
  console.log(`${part}: library ${library} µs, best other ${best} µs: ${factor}× — target ≥ ${TARGET_FACTOR}× ${factor >= TARGET_FACTOR ? 'met' : 'NOT met'}`);
}
