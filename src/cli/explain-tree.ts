/**
 * An explained check drawn for a terminal: one step per line, the tree drawn with box
 * characters, each step marked ✓ (allowed), ✗ (denied) or ! (a limit stopped it), in colour
 * when asked. Built without recursion: an explanation is as deep as the evaluation was.
 */
import type { Explanation, StepResult } from '../engine/explanation.js';

const MARK: Readonly<Record<StepResult, string>> = {
  allowed: '✓',
  denied: '✗',
  max_depth_exceeded: '!',
  max_width_exceeded: '!',
  call_budget_exceeded: '!',
};

const COLOUR: Readonly<Record<StepResult, string>> = {
  allowed: '\x1b[32m',
  denied: '\x1b[31m',
  max_depth_exceeded: '\x1b[33m',
  max_width_exceeded: '\x1b[33m',
  call_budget_exceeded: '\x1b[33m',
};

const LIMIT_TEXT: Partial<Record<StepResult, string>> = {
  max_depth_exceeded: ' (max depth reached)',
  max_width_exceeded: ' (max width reached)',
  call_budget_exceeded: ' (call budget spent)',
};

/** `namespace:object#relation`, or `namespace:object` for a relation-less subject set such as `User:alice`. */
/**
 * Levels drawn indented; deeper steps are drawn at this indentation with their level in
 * brackets, so that a deep evaluation's drawing grows with its steps, not their square.
 */
export const MAX_DRAWN_DEPTH = 40;

const key = (e: Explanation): string => `${e.namespace ?? ''}:${e.object ?? ''}${e.relation ? `#${e.relation}` : ''}`;

/** What a step did, in words; `subject` is the checked subject in its string form. */
function label(e: Explanation, subject: string): string {
  switch (e.step) {
    case 'check':
      return key(e);
    case 'tuple':
      return `stored: ${key(e)}@${subject}`;
    case 'expand':
      return `subject sets of ${key(e)}`;
    case 'rewrite':
      return e.operator === 'and' ? 'and (all of)' : 'or (any of)';
    case 'traverse':
      return `traverse ${key(e)} → ${e.computed ?? ''}`;
    case 'not':
      return 'not';
  }
}

/** The explanation of a check of `subject`, one line per step, each line ending in a newline. */
export function drawExplanation(root: Explanation, subject: string, colour: boolean): string {
  const paint = (result: StepResult, text: string) => (colour ? `${COLOUR[result]}${text}\x1b[0m` : text);
  const lines: string[] = [];
  const pending: { e: Explanation; lead: string; indent: string; depth: number }[] = [{ e: root, lead: '', indent: '', depth: 0 }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const { e, lead, indent, depth } = next;
    const limit = LIMIT_TEXT[e.result];
    const level = depth > MAX_DRAWN_DEPTH ? `[${depth}] ` : '';
    lines.push(`${lead}${level}${paint(e.result, MARK[e.result])} ${label(e, subject)}${limit === undefined ? '' : paint(e.result, limit)}\n`);
    for (let i = e.children.length - 1; i >= 0; i--) {
      const last = i === e.children.length - 1;
      const childIndent = depth >= MAX_DRAWN_DEPTH ? indent : `${indent}${last ? '   ' : '│  '}`;
      pending.push({ e: e.children[i]!, lead: `${indent}${last ? '└─ ' : '├─ '}`, indent: childIndent, depth: depth + 1 });
    }
  }
  return lines.join('');
}
