import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { chromium, type Browser, type Page } from 'playwright-core';
import { evaluateScenario } from '../../src/scenario/questions.js';
import { GATEHOUSE_BIN } from '../support/server.js';
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

/** What saving the scenario of the tests above gives. */
const SAVED_FILE = `model: |
${MODEL.replace(/^(?=.)/gm, '  ')}tuples:
  - Team:core#members@alice
  - Repo:gatehouse#maintainers@Team:core#members
assert:
  allowed:
    - Repo:gatehouse#push@alice
  denied:
    - Repo:gatehouse#push@bob
`;

/** A test file of two scenarios (the page takes the first) written by hand. */
const LOADED_FILE = `model: |
${MODEL.replace('User | SubjectSet<Team, "members">', 'SubjectSet<Team, "members">').replace(/^(?=.)/gm, '  ')}
scenarios:
  - name: members push
    tuples:
      - Team:core#members@erin
      - { namespace: Repo, object: docs, relation: maintainers, subject_set: { namespace: Team, object: core, relation: members } }
    assert:
      allowed: [Repo:docs#push@erin]
      denied: [Repo:docs#push@alice]
  - name: second
    assert:
      denied: [Repo:docs#push@erin]
`;

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

/** Replaces the model editor's text as a user pasting it would. */
async function pasteModel(page: Page, text: string): Promise<void> {
  await page.click('.cm-content');
  await page.keyboard.press('Control+A');
  await page.keyboard.insertText(text);
}

/** Pastes the model and waits for its evaluation. */
async function typeModel(page: Page, text: string): Promise<void> {
  await pasteModel(page, text);
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

/** Runs the assertions and waits for their summary. */
async function runAssertions(page: Page): Promise<void> {
  await page.click('#assertions-run');
  await page.waitForFunction(() => document.querySelector('#assertions-summary')?.textContent !== '');
}

const texts = (page: Page, selector: string) => page.$$eval(selector, (nodes) => nodes.map((n) => n.textContent));

describe('the playground in Chromium', () => {
  let server: PlaygroundServer;
  let browser: Browser;
  let page: Page;
  let rowsBefore: Record<string, unknown[]>;

  before(async () => {
    assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: install Debian's chromium package (apt-get install -y chromium)`);
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

  test("an evaluation that answers after a newer edit is not shown as the newer edit's", async () => {
    await settled(page);
    let held!: () => void;
    const intercepted = new Promise<void>((resolve) => (held = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    await page.route(
      '**/api/evaluate',
      async (route) => {
        held();
        await released;
        await route.continue();
      },
      { times: 1 },
    );
    await pasteModel(page, MODEL_WITH_ERROR);
    await intercepted;
    await pasteModel(page, MODEL);
    release();
    await settled(page);
    assert.equal((await texts(page, '.cm-line')).join('\n'), MODEL);
    assert.deepEqual(await texts(page, '#model-errors li'), []);
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

  test('the assertions run as gatehouse test runs them, and show which pass and which fail', async () => {
    await page.fill('#assert-allowed', 'Repo:gatehouse#push@alice\nRepo:gatehouse#push@dora');
    await page.fill('#assert-denied', 'Repo:gatehouse#push@bob');
    await runAssertions(page);
    assert.equal(await page.textContent('#assertions-summary'), '2 passed, 1 failed, 1 problem');
    assert.deepEqual(await texts(page, '#assertion-results li'), [
      "problem: tuple not loaded: malformed string input: expected input to contain ':'",
      'pass: Repo:gatehouse#push@alice is allowed',
      'fail: Repo:gatehouse#push@dora should be allowed, is denied',
      'pass: Repo:gatehouse#push@bob is denied',
    ]);
    assert.deepEqual(await page.$$eval('#assertion-results li', (items) => items.map((li) => li.className)), ['fail', 'pass', 'fail', 'pass']);
  });

  test('saving gives the model-test file gatehouse test runs', async () => {
    await page.fill('#tuples', [TUPLES[0], TUPLES[2]].join('\n'));
    await page.fill('#assert-allowed', 'Repo:gatehouse#push@alice');
    await settled(page);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#save-file')]);
    assert.equal(download.suggestedFilename(), 'playground.test.yml');
    const file = await download.path();
    assert.equal(readFileSync(file, 'utf8'), SAVED_FILE);
    const run = await promisify(execFile)(process.execPath, [GATEHOUSE_BIN, 'test', file]);
    assert.equal(run.stdout.split('\n').at(-2), '1 scenario (0 failed), 2 assertions (0 failed)');
  });

  test('loading a model-test file restores its scenario', async () => {
    await page.setInputFiles('#load-file', { name: 'team.test.yml', mimeType: 'text/yaml', buffer: Buffer.from(LOADED_FILE) });
    await page.waitForFunction(() => document.querySelector('#file-status')?.textContent !== '');
    assert.equal(await page.textContent('#file-status'), 'loaded "members push" from team.test.yml (the first of its 2 scenarios)');
    await settled(page);
    assert.equal((await texts(page, '.cm-line')).join('\n'), MODEL.replace('User | SubjectSet<Team, "members">', 'SubjectSet<Team, "members">'));
    assert.equal(await page.inputValue('#tuples'), 'Team:core#members@erin\nRepo:docs#maintainers@Team:core#members');
    assert.equal(await page.inputValue('#assert-allowed'), 'Repo:docs#push@erin');
    assert.equal(await page.inputValue('#assert-denied'), 'Repo:docs#push@alice');
    await runAssertions(page);
    assert.equal(await page.textContent('#assertions-summary'), '2 passed, 0 failed');
  });

  test('a file the playground cannot show is refused, and the scenario stays', async () => {
    await page.setInputFiles('#load-file', { name: 'other.test.yml', mimeType: 'text/yaml', buffer: Buffer.from('model_file: ../secret.ts\n') });
    await page.waitForFunction(() => document.querySelector('#file-status')?.textContent !== '');
    assert.equal(
      await page.textContent('#file-status'),
      'line 1: "model_file": cannot read "../secret.ts": the playground reads no files: put the model in the test file',
    );
    assert.equal(await page.inputValue('#assert-allowed'), 'Repo:docs#push@erin');
  });

  test('the playground never wrote to the database', async () => {
    assert.deepEqual(databaseRows(server.databaseFile), rowsBefore);
    const listed = await (await fetch(`${server.read}/relation-tuples?namespace=Repo`)).json();
    assert.deepEqual(listed.relation_tuples, [{ namespace: 'Repo', object: 'gatehouse', relation: 'maintainers', subject_id: 'dora' }]);
  });
});
