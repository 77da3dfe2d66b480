import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alignColumns } from '../../src/cli/tabwriter.js';
import { goJson, parseFormat, printRow, printTable, printText } from '../../src/cli/output.js';
import { tuplePage, tupleRow, tupleTable } from '../../src/cli/tuple-output.js';
import { drawTree, treeFromProto, treeToJson } from '../../src/cli/expand-tree.js';
import { UsageError } from '../../src/cli/flags.js';
import type { RelationTuple } from '../../src/tuple.js';
import { captureIo } from './capture-io.js';

const readme: RelationTuple = { namespace: 'Doc', object: 'readme', relation: 'owner', subject: { set: { namespace: 'User', object: 'alice', relation: '' } } };
const bobViewer: RelationTuple = { namespace: 'Doc', object: 'readme', relation: 'viewer', subject: { id: 'bob' } };

// Expected bytes follow Go's text/tabwriter(0, 8, 1, '\t', 0), which Keto's tables use.
test('a tuple table has Keto columns padded with tabs to multiples of eight', () => {
  const io = captureIo();
  printTable(io, parseFormat('table', false), tupleTable([readme]));
  assert.equal(io.stdoutText(), 'NAMESPACE\tOBJECT\tRELATION NAME\tSUBJECT\t\t\nDoc\t\treadme\towner\t\tUser:alice\t\n');
});

test('a get page ends with the page token and last-page rows, aligned as Keto aligns them', () => {
  const io = captureIo();
  printTable(io, parseFormat('table', false), tuplePage([readme], ''));
  assert.equal(
    io.stdoutText(),
    'NAMESPACE\tOBJECT\tRELATION NAME\tSUBJECT\t\t\n' +
      'Doc\t\treadme\towner\t\tUser:alice\t\n' +
      '\t\t\n' +
      'NEXT PAGE TOKEN\t\t\n' +
      'IS LAST PAGE\ttrue\t\n',
  );
});

test('one parsed tuple prints as a key/value table', () => {
  const io = captureIo();
  printRow(io, parseFormat('table', false), tupleRow(readme));
  assert.equal(io.stdoutText(), 'NAMESPACE\tDoc\t\t\nOBJECT ID\treadme\t\t\nRELATION NAME\towner\t\t\nSUBJECT\t\tUser:alice\t\n');
});

test('a line without tabs ends a run of aligned lines', () => {
  assert.equal(alignColumns('a\tb\t\nlonger-cell\tc\t\nplain\nx\ty\t\n'), 'a\t\tb\t\nlonger-cell\tc\t\nplain\nx\ty\t\n');
});

test('structured formats print the Keto JSON shapes', () => {
  const json = captureIo();
  printTable(json, parseFormat('json', false), tuplePage([readme, bobViewer], 'next'));
  assert.equal(
    json.stdoutText(),
    '{"relation_tuples":[{"namespace":"Doc","object":"readme","relation":"owner","subject_set":{"namespace":"User","object":"alice","relation":""}},' +
      '{"namespace":"Doc","object":"readme","relation":"viewer","subject_id":"bob"}],"is_last_page":false,"next_page_token":"next"}\n',
  );
  const pretty = captureIo();
  printText(pretty, parseFormat('json-pretty', false), { text: 'Allowed\n', data: { allowed: true } });
  assert.equal(pretty.stdoutText(), '{\n  "allowed": true\n}\n');
  const yaml = captureIo();
  printRow(yaml, parseFormat('yaml', false), tupleRow(bobViewer));
  assert.equal(yaml.stdoutText(), 'namespace: Doc\nobject: readme\nrelation: viewer\nsubject_id: bob\n');
  const pointer = captureIo();
  printTable(pointer, parseFormat('jsonpointer=/0/subject_id', false), tupleTable([bobViewer]));
  assert.equal(pointer.stdoutText(), '"bob"\n');
});

test('quiet prints one tuple per line, and an empty line for nothing', () => {
  const io = captureIo();
  printTable(io, parseFormat('table', true), tupleTable([readme, bobViewer]));
  assert.equal(io.stdoutText(), 'Doc:readme#owner@User:alice\nDoc:readme#viewer@bob\n');
  const none = captureIo();
  printTable(none, parseFormat('table', true), tupleTable([]));
  assert.equal(none.stdoutText(), '\n');
});

test('an empty parse result is null in JSON, as in Keto', () => {
  const io = captureIo();
  printTable(io, parseFormat('json', false), tupleTable([], true));
  assert.equal(io.stdoutText(), 'null\n');
});

test('JSON escapes HTML-sensitive characters like Go', () => {
  assert.equal(goJson({ a: '<b>&' }, false), '{"a":"\\u003cb\\u003e\\u0026"}\n');
});

test('unknown formats, and jsonpath or jsonpointer without "=", are a usage error with Keto\'s message', () => {
  assert.throws(() => parseFormat('xml', false), UsageError);
  assert.throws(() => parseFormat('jsonpointer', false), {
    message: 'Format jsonpointer is missing a JSON pointer, e.g., --format=jsonpointer=<jsonpointer>. The path syntax is described at https://datatracker.ietf.org/doc/html/draft-ietf-appsawg-json-pointer-07',
  });
  assert.throws(() => parseFormat('jsonpath', false), {
    message: 'Format jsonpath is missing a path, e.g., --format=jsonpath=<path>. The path syntax is described at https://github.com/tidwall/gjson/blob/master/SYNTAX.md',
  });
});

test('jsonpath prints the selected value as indented JSON with sorted keys, and null when nothing matches', () => {
  const out = (format: string, print: (io: ReturnType<typeof captureIo>, f: ReturnType<typeof parseFormat>) => void) => {
    const io = captureIo();
    print(io, parseFormat(format, false));
    return io.stdoutText();
  };
  const page = (format: string) => out(format, (io, f) => printTable(io, f, tuplePage([readme, bobViewer], '')));
  assert.equal(page('jsonpath=relation_tuples.#.object'), '[\n  "readme",\n  "readme"\n]\n');
  assert.equal(page('jsonpath=relation_tuples.#(subject_id=="bob")#.relation'), '[\n  "viewer"\n]\n');
  assert.equal(page('jsonpath=is_last_page'), 'true\n');
  assert.equal(page('jsonpath=relation_tuples.#'), '2\n');
  assert.equal(page('jsonpath=relation_tuples.5'), 'null\n');
  assert.equal(
    page('jsonpath=relation_tuples.0.subject_set'),
    '{\n  "namespace": "User",\n  "object": "alice",\n  "relation": ""\n}\n',
  );
  // Keto's path prefix is matched loosely, as cmdx does.
  assert.equal(page('jsonpathx=next_page_token'), '""\n');
  // An empty path prints the whole value in its own key order.
  assert.equal(page('jsonpath='), out('json-pretty', (io, f) => printTable(io, f, tuplePage([readme, bobViewer], ''))));
  assert.equal(out('jsonpath=allowed', (io, f) => printText(io, f, { text: 'Denied\n', data: { allowed: false } })), 'false\n');
  assert.equal(out('jsonpath=subject_id', (io, f) => printRow(io, f, tupleRow(bobViewer))), '"bob"\n');
  const tree = { type: 'leaf', tuple: { namespace: 'Doc', object: 'readme', relation: 'view', subject_id: '<a>' } };
  assert.equal(
    out('jsonpath=tuple', (io, f) => printText(io, f, { text: '', data: { type: 'union', children: [tree] } })),
    'null\n',
  );
  assert.equal(
    out('jsonpath=children.0', (io, f) => printText(io, f, { text: '', data: { type: 'union', children: [tree] } })),
    '{\n  "tuple": {\n    "namespace": "Doc",\n    "object": "readme",\n    "relation": "view",\n    "subject_id": "\\u003ca\\u003e"\n  },\n  "type": "leaf"\n}\n',
  );
});

test('"quiet" is a format name as well as a flag', () => {
  const io = captureIo();
  printTable(io, parseFormat('quiet', false), tupleTable([bobViewer]));
  assert.equal(io.stdoutText(), 'Doc:readme#viewer@bob\n');
});

test('the table header is bold only on a colour terminal', () => {
  const io = captureIo({ tty: true });
  printTable(io, parseFormat('table', false), tupleTable([bobViewer]));
  assert.ok(io.stdoutText().startsWith('\x1b[1mNAMESPACE'));
  const noColour = captureIo({ tty: true, env: { NO_COLOR: '1' } });
  printTable(noColour, parseFormat('table', false), tupleTable([bobViewer]));
  assert.ok(noColour.stdoutText().startsWith('NAMESPACE'));
});

test('expand trees convert to Keto JSON and draw like Keto', () => {
  const leaf = (id: string) => ({ nodeType: 'NODE_TYPE_LEAF', tuple: { namespace: 'Doc', object: 'readme', relation: 'view', subject: { id } }, children: [] });
  const proto = {
    nodeType: 'NODE_TYPE_UNION',
    tuple: { namespace: 'Doc', object: 'readme', relation: 'view', subject: { set: { namespace: 'Doc', object: 'readme', relation: 'view' } } },
    children: [leaf('alice'), leaf('bob')],
  };
  const tree = treeToJson(treeFromProto(proto));
  assert.deepEqual(tree, {
    type: 'union',
    children: [
      { type: 'leaf', tuple: { namespace: 'Doc', object: 'readme', relation: 'view', subject_id: 'alice' } },
      { type: 'leaf', tuple: { namespace: 'Doc', object: 'readme', relation: 'view', subject_id: 'bob' } },
    ],
    tuple: { namespace: 'Doc', object: 'readme', relation: 'view', subject_set: { namespace: 'Doc', object: 'readme', relation: 'view' } },
  });
  assert.equal(
    drawTree(tree),
    'or Doc:readme#view@Doc:readme#view\n├──∋ Doc:readme#view@alice\uFE0F\n└──∋ Doc:readme#view@bob\uFE0F',
  );
  const nested = drawTree(treeToJson(treeFromProto({ ...proto, children: [{ ...proto, children: [leaf('carol')] }] })));
  assert.equal(nested, 'or Doc:readme#view@Doc:readme#view\n└──or Doc:readme#view@Doc:readme#view\n   └──∋ Doc:readme#view@carol\uFE0F');
});
