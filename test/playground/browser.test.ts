import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { chromium, type Browser, type Page } from 'playwright-core';
import { evaluateScenario } from '../../src/scenario/questions.js';
import { startPlaygroundServer, type PlaygroundServer } from './playground-server.js';

/**
 * The playground in a real headless Chromium (Debian's chromium package; .ci/run installs it):
 * one browser and one page for the whole file, each test going on from where the last left it.
 */

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];

const MODEL_WITH_ERROR = `class User implements Namespace {}

class Team implements Namespace {
  related: { members: Usr[] }
}
`;
const MODEL = `class User implements Namespace {}

class Team implements Namespace {
  related: { members: User[] }
}

class Repo implements Namespace {
  related: { maintainers: (User | SubjectSet<Team, "members">)[] }
  permits = {
    push: (ctx: Context): boolean => this.related.maintainers.includes(ctx.subject),
  }
}
`;
const TUPLES = ['Team:core#members@alice', 'not a tuple', 'Repo:gatehouse#maintainers@Team:core#members'];

/** Every row of every table of the server's database. */
function databaseRows(file: string): Record<string, unknown[]> {
  const db = new Database(file, { readonly: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[];
    return Object.fromEntries(tables.map(({ name }) => [name, db.prepare(`SELECT * FROM "${name}" ORDER BY rowid`).all()]));
  } finally {
    db.close();
  }
}

/** Waits until the page has shown the evaluation of the last edit. */
const settled = (page: Page) => page.waitForFunction(() => document.body.dataset.state === 'idle');

/** Replaces the model editor's text as a user pasting it would, and waits for its evaluation. */
async function typeModel(page: Page, text: string): Promise<void> {
  await page.click('.cm-content');
  await page.keyboard.press('Control+A');
  await page.keyboard.insertText(text);
  await settled(page);
}

/** The drawn explanation tree, read back from the page: each step's label, result and children. */
interface DrawnStep {
  label: string;
  result: string;
  children: DrawnStep[];
}
const step = (label: string, result: string, ...children: DrawnStep[]): DrawnStep => ({ label, result, children });
const drawnTree = (page: Page) =>
  page.evaluate(() => {
    const read = (li: Element): DrawnStep => ({
      label: li.querySelector(':scope > .step')!.textContent!,
      result: li.querySelector(':scope > .result')!.textContent!,
      children: [...li.querySelectorAll(':scope > ul > li')].map(read),
    });
    return [...document.querySelectorAll('#explanation > ul.tree > li')].map(read);
  });

const texts = (page: Page, selector: string) => page.$$eval(selector, (nodes) => nodes.map((n) => n.textContent));

describe('the playground in Chromium', () => {
  let server: PlaygroundServer;
  let browser: Browser;
  let page: Page;
  let rowsBefore: Record<string, unknown[]>;

  before(async () => {
    server = await startPlaygroundServer();
    const put = await fetch(`${server.write}/admin/relation-tuples`, {
      method: 'PUT',
      body: JSON.stringify({ namespace: 'Repo', object: 'gatehouse', relation: 'maintainers', subject_id: 'dora' }),
    });
    assert.equal(put.status, 201);
    rowsBefore = databaseRows(server.databaseFile);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    page = await browser.newPage();
    await page.goto(server.playground);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test("the live namespaces view lists the server's namespaces", async () => {
    await page.waitForSelector('#live-namespaces li');
    assert.deepEqual(await texts(page, '#live-namespaces > li'), [
      'User',
      'Team members: User',
      'Repo maintainers: User | Team#members, push (permit)',
    ]);
  });

  test('a model with an error shows the error at its line, and fixing it clears it', async () => {
    const [expected] = (await evaluateScenario({ model: MODEL_WITH_ERROR })).diagnostics;
    assert.equal(expected?.line, 4);
    await typeModel(page, MODEL_WITH_ERROR);
    assert.deepEqual(await texts(page, '#model-errors li'), [`line 4: ${expected.message}`]);
    const markedLines = await page.$$eval('.cm-line', (lines) => lines.flatMap((l, i) => (l.querySelector('.cm-lintRange-error') ? [i + 1] : [])));
    assert.deepEqual(markedLines, [4]);

    await typeModel(page, MODEL);
    assert.deepEqual(await texts(page, '#model-errors li'), []);
    assert.equal(await page.$$eval('.cm-lintRange-error', (marks) => marks.length), 0);
  });

  test('tuples are edited, and one that is not a tuple is shown at its line', async () => {
    const [problem] = (await evaluateScenario({ model: MODEL, tuples: TUPLES })).tupleProblems;
    await page.fill('#tuples', TUPLES.join('\n'));
    await settled(page);
    assert.deepEqual(await texts(page, '#tuple-errors li'), [`line 2: ${problem?.error.detail}`]);
  });

  test('a check shows allowed and its explanation tree', async () => {
    await page.fill('#check-tuple', 'Repo:gatehouse#push@alice');
    await page.click('#check-run');
    await page.waitForFunction(() => document.querySelector('#check-result')?.textContent !== '');
    assert.equal(await page.textContent('#check-result'), 'allowed');
    assert.deepEqual(await drawnTree(page), [
      step(
        'check Repo:gatehouse#push',
        'allowed',
        step(
          'rewrite or',
          'allowed',
          step('check Repo:gatehouse#maintainers', 'allowed', step('expand Repo:gatehouse#maintainers', 'allowed', step('tuple Team:core#members', 'allowed'))),
        ),
      ),
    ]);
  });

  test("a check shows denied and the branches it tried (the sandbox holds the scenario's tuples, not the server's)", async () => {
    await page.fill('#check-tuple', 'Repo:gatehouse#push@dora');
    await page.click('#check-run');
    await page.waitForFunction(() => document.querySelector('#check-result')?.textContent !== '');
    assert.equal(await page.textContent('#check-result'), 'denied');
    assert.deepEqual(await drawnTree(page), [
      step(
        'check Repo:gatehouse#push',
        'denied',
        step(
          'rewrite or',
          'denied',
          step(
            'check Repo:gatehouse#maintainers',
            'denied',
            step('expand Repo:gatehouse#maintainers', 'denied', step('check Team:core#members', 'denied', step('expand Team:core#members', 'denied'))),
          ),
        ),
        step('tuple Repo:gatehouse#push', 'denied'),
        step('expand Repo:gatehouse#push', 'denied'),
      ),
    ]);
  });

  test('the assertions run and show which pass and which fail', async () => {
    await page.fill('#assert-allowed', 'Repo:gatehouse#push@alice\nRepo:gatehouse#push@dora');
    await page.fill('#assert-denied', 'Repo:gatehouse#push@bob');
    await page.click('#assertions-run');
    await page.waitForFunction(() => document.querySelector('#assertions-summary')?.textContent !== '');
    assert.equal(await page.textContent('#assertions-summary'), '2 passed, 1 failed');
    assert.deepEqual(await texts(page, '#assertion-results li'), [
      'pass: Repo:gatehouse#push@alice is allowed',
      'fail: Repo:gatehouse#push@dora should be allowed, is denied',
      'pass: Repo:gatehouse#push@bob is denied',
    ]);
    assert.deepEqual(await page.$$eval('#assertion-results li', (items) => items.map((li) => li.className)), ['pass', 'fail', 'pass']);
  });

  test('the playground never wrote to the database', async () => {
    assert.deepEqual(databaseRows(server.databaseFile), rowsBefore);
    const listed = await (await fetch(`${server.read}/relation-tuples?namespace=Repo`)).json();
    assert.deepEqual(listed.relation_tuples, [{ namespace: 'Repo', object: 'gatehouse', relation: 'maintainers', subject_id: 'dora' }]);
  });
});
