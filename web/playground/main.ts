import { ApiError, evaluate, liveNamespaces, loadTestFile, runAssertions, saveTestFile } from './api.js';
import { drawExplanation } from './explanation-tree.js';
import { modelEditor, replaceText, showDiagnostics, textOf } from './model-editor.js';
import type { PageScenario } from './wire.js';

const EXAMPLE: PageScenario = {
  model: `import { Namespace, Context } from "@ory/keto-namespace-types"

class User implements Namespace {}

class Group implements Namespace {
  related: {
    members: (User | SubjectSet<Group, "members">)[]
  }
}

class Document implements Namespace {
  related: {
    owners: User[]
    viewers: (User | SubjectSet<Group, "members">)[]
  }

  permits = {
    view: (ctx: Context): boolean => this.related.viewers.includes(ctx.subject) || this.permits.edit(ctx),
    edit: (ctx: Context): boolean => this.related.owners.includes(ctx.subject),
  }
}
`,
  tuples: ['Group:staff#members@alice', 'Document:readme#viewers@Group:staff#members', 'Document:readme#owners@bob'],
  assertions: { allowed: ['Document:readme#view@alice', 'Document:readme#edit@bob'], denied: ['Document:readme#edit@alice'] },
};
/** Quiet time after an edit before the model and tuples are checked again. */
const EDIT_SETTLE_MS = 250;

const byId = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const tuplesInput = byId<HTMLTextAreaElement>('tuples');
const allowedInput = byId<HTMLTextAreaElement>('assert-allowed');
const deniedInput = byId<HTMLTextAreaElement>('assert-denied');

/** Non-empty lines, each with its 1-based line number. */
const linesOf = (text: string) =>
  text
    .split('\n')
    .map((line, i) => ({ text: line.trim(), line: i + 1 }))
    .filter((l) => l.text !== '');
const valuesOf = (input: HTMLTextAreaElement) => linesOf(input.value).map((l) => l.text);

const listItem = (text: string, className?: string) => {
  const li = document.createElement('li');
  li.textContent = text;
  if (className !== undefined) li.className = className;
  return li;
};
const failed = (err: unknown) => (err instanceof ApiError ? err.message : String(err));

// the model and tuples, checked as they are edited
let edits = 0;
let settle: ReturnType<typeof setTimeout> | undefined;
const editor = modelEditor(byId('model-editor'), () => edited());
/** `editing` from an edit until its evaluation is shown, then `idle`. */
const setState = (state: 'editing' | 'idle') => (document.body.dataset.state = state);
/** Counts an edit when it happens, so that an evaluation still under way for older text is not shown for it. */
function edited(): void {
  setState('editing');
  const edit = ++edits;
  clearTimeout(settle);
  settle = setTimeout(() => void validate(edit), EDIT_SETTLE_MS);
}
async function validate(edit: number): Promise<void> {
  const tupleLines = linesOf(tuplesInput.value);
  let result;
  try {
    result = await evaluate(textOf(editor), tupleLines.map((l) => l.text), [], false);
  } catch (err) {
    if (edit === edits) {
      byId('model-errors').replaceChildren(listItem(failed(err), 'error'));
      setState('idle');
    }
    return;
  }
  if (edit !== edits) return;
  showDiagnostics(editor, result.diagnostics);
  byId('model-errors').replaceChildren(...result.diagnostics.map((d) => listItem(`line ${d.line}: ${d.message}`, d.severity)));
  byId('tuple-errors').replaceChildren(
    ...result.tupleProblems.map((p) => listItem(`line ${tupleLines[p.index]?.line ?? p.index + 1}: ${p.error.detail ?? p.error.message}`, 'error')),
  );
  setState('idle');
}
tuplesInput.addEventListener('input', edited);

// one check, explained
byId<HTMLFormElement>('check-form').addEventListener('submit', (event) => {
  event.preventDefault();
  void (async () => {
    const out = byId('check-result');
    const tree = byId('explanation');
    tree.replaceChildren();
    out.textContent = '';
    out.className = '';
    try {
      const [answer] = (await evaluate(textOf(editor), valuesOf(tuplesInput), [byId<HTMLInputElement>('check-tuple').value.trim()], true)).checks;
      if (answer === undefined) throw new ApiError('the server answered no check');
      out.textContent = answer.error === undefined ? (answer.allowed ? 'allowed' : 'denied') : `denied: ${answer.error.detail ?? answer.error.message}`;
      out.className = answer.allowed ? 'allowed' : 'denied';
      if (answer.explanation !== undefined) tree.append(drawExplanation(answer.explanation));
      if (answer.truncated === true) tree.append(listItem('(the explanation was cut: the check took more steps than are recorded)'));
    } catch (err) {
      out.textContent = failed(err);
      out.className = 'error';
    }
  })();
});

// the assertions, judged as `gatehouse test` judges the saved file
byId('assertions-run').addEventListener('click', () => {
  void (async () => {
    const summary = byId('assertions-summary');
    const results = byId('assertion-results');
    results.replaceChildren();
    summary.textContent = '';
    try {
      const answer = await runAssertions(scenario());
      const passed = answer.results.filter((r) => r.passed).length;
      results.append(
        ...answer.problems.map((p) => listItem(`problem: ${p}`, 'fail')),
        ...answer.results.map((r) => listItem(r.passed ? `pass: ${r.tuple} is ${r.actual}` : `fail: ${r.tuple} should be ${r.expected}, is ${r.actual}`, r.passed ? 'pass' : 'fail')),
      );
      const problems = answer.problems.length === 0 ? '' : `, ${answer.problems.length} problem${answer.problems.length === 1 ? '' : 's'}`;
      summary.textContent = `${passed} passed, ${answer.results.length - passed} failed${problems}`;
    } catch (err) {
      summary.textContent = failed(err);
    }
  })();
});

// load and save as a model-test file
function scenario(): PageScenario {
  return { model: textOf(editor), tuples: valuesOf(tuplesInput), assertions: { allowed: valuesOf(allowedInput), denied: valuesOf(deniedInput) } };
}
function show(s: PageScenario): void {
  replaceText(editor, s.model);
  tuplesInput.value = s.tuples.join('\n');
  allowedInput.value = s.assertions.allowed.join('\n');
  deniedInput.value = s.assertions.denied.join('\n');
  edited();
}
const fileStatus = byId('file-status');
byId('save-file').addEventListener('click', () => {
  fileStatus.textContent = '';
  void (async () => {
    try {
      const text = await saveTestFile(scenario());
      const link = document.createElement('a');
      link.href = URL.createObjectURL(new Blob([text], { type: 'text/yaml' }));
      link.download = 'playground.test.yml';
      link.click();
      URL.revokeObjectURL(link.href);
      fileStatus.textContent = 'saved';
    } catch (err) {
      fileStatus.textContent = failed(err);
    }
  })();
});
byId<HTMLInputElement>('load-file').addEventListener('change', (event) => {
  const input = event.target as HTMLInputElement;
  const file = input.files?.[0];
  if (file === undefined) return;
  fileStatus.textContent = '';
  void (async () => {
    try {
      const loaded = await loadTestFile(await file.text());
      show(loaded.scenario);
      fileStatus.textContent = `loaded "${loaded.name}" from ${file.name}` + (loaded.scenarios > 1 ? ` (the first of its ${loaded.scenarios} scenarios)` : '');
    } catch (err) {
      fileStatus.textContent = failed(err);
    }
    input.value = '';
  })();
});

// the server's own model, read only
void (async () => {
  const list = byId('live-namespaces');
  try {
    const namespaces = await liveNamespaces();
    list.replaceChildren(
      ...namespaces.map((n) => {
        const parts = [...n.relations.map((r) => `${r.name}: ${r.types.join(' | ') || 'any'}`), ...n.permits.map((p) => `${p} (permit)`)];
        const li = listItem(n.name);
        li.dataset.namespace = n.name;
        if (parts.length > 0) {
          const detail = document.createElement('span');
          detail.className = 'relations';
          detail.textContent = parts.join(', ');
          li.append(' ', detail);
        }
        return li;
      }),
    );
  } catch (err) {
    list.replaceChildren(listItem(failed(err), 'error'));
  }
})();

show(EXAMPLE);
