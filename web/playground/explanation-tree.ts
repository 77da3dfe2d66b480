import type { ExplanationJson } from './wire.js';

const key = (e: ExplanationJson) => `${e.namespace ?? ''}:${e.object ?? ''}#${e.relation ?? ''}`;

/** What one step did, in words: `check Document:readme#view`, `traverse parent → view` … */
export function stepLabel(e: ExplanationJson): string {
  switch (e.step) {
    case 'check':
      return `check ${key(e)}`;
    case 'tuple':
      return `tuple ${key(e)}`;
    case 'expand':
      return `expand ${key(e)}`;
    case 'rewrite':
      return `rewrite ${e.operator ?? 'or'}`;
    case 'traverse':
      return `traverse ${e.relation ?? ''} → ${e.computed ?? ''}`;
    case 'not':
      return 'not';
  }
}

/** The tree as nested lists, each step with its result; built without recursion (a tree is as deep as the check went). */
export function drawExplanation(root: ExplanationJson): HTMLUListElement {
  const top = document.createElement('ul');
  top.className = 'tree';
  const pending: [ExplanationJson, HTMLUListElement][] = [[root, top]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [step, into] = next;
    const item = document.createElement('li');
    const label = document.createElement('span');
    label.className = 'step';
    label.textContent = stepLabel(step);
    const result = document.createElement('span');
    result.className = `result ${step.result}`;
    result.textContent = step.result.replaceAll('_', ' ');
    item.append(label, ' ', result);
    into.append(item);
    if (step.children.length > 0) {
      const children = document.createElement('ul');
      item.append(children);
      for (let i = step.children.length - 1; i >= 0; i--) pending.push([step.children[i]!, children]);
    }
  }
  return top;
}
