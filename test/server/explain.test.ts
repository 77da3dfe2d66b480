/**
 * Explained checks beyond REST: gatehouse.v1.ExplainService on the read port, and
 * `gatehouse check --explain`, against a live server serving the example model.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import grpc from '@grpc/grpc-js';
import type protobuf from 'protobufjs';
import { run as runCheck } from '../../src/cli/check.js';
import { captureIo } from '../cli/capture-io.js';
import { GATEHOUSE_BIN, startGatehouseProcess, type GatehouseProcess } from '../support/server.js';
import { streamCall, unaryCall } from './grpc-clients.js';

const require = createRequire(import.meta.url);
const descriptor = require('protobufjs/ext/descriptor') as { FileDescriptorProto: protobuf.Type };
const MODEL = new URL('../../../namespaces.example.ts', import.meta.url);
const PLAIN = '--insecure-disable-transport-security';

const explainCheck = (address: string, request: object) =>
  unaryCall(address, '/gatehouse.v1.ExplainService/Check', 'gatehouse.v1.ExplainCheckRequest', 'gatehouse.v1.ExplainCheckResponse', request);

const user = (id: string) => ({ set: { namespace: 'User', object: id, relation: '' } });

describe('explained checks over gRPC and the command line', () => {
  let gh: GatehouseProcess;
  before(async () => {
    gh = await startGatehouseProcess({ config: { namespaces: { location: pathToFileURL(MODEL.pathname).href } } });
    for (const tuple of [
      { namespace: 'Group', object: 'engineering', relation: 'members', subject_set: { namespace: 'User', object: 'alice', relation: '' } },
      { namespace: 'Folder', object: 'handbook', relation: 'viewers', subject_set: { namespace: 'Group', object: 'engineering', relation: 'members' } },
      { namespace: 'Document', object: 'onboarding', relation: 'parents', subject_set: { namespace: 'Folder', object: 'handbook', relation: '' } },
    ]) {
      const res = await fetch(`${gh.url.write}/admin/relation-tuples`, { method: 'PUT', body: JSON.stringify(tuple) });
      assert.equal(res.status, 201);
    }
  });
  after(async () => {
    assert.equal(await gh.stop(), 0);
  });

  const gatehouse = (...args: string[]) => {
    const result = spawnSync(process.execPath, [GATEHOUSE_BIN, ...args, PLAIN], { env: { ...process.env, KETO_READ_REMOTE: gh.grpc.read }, encoding: 'utf8', timeout: 60_000 });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  };

  test('ExplainService.Check answers with the steps of the explanation, a step before its children', async () => {
    const answer = await explainCheck(gh.grpc.read, { tuple: { namespace: 'Document', object: 'onboarding', relation: 'view', subject: user('alice') }, latest: true });
    const step = (parent: number, step: string, namespace: string, object: string, relation: string, more: { operator?: string; computed?: string } = {}) => ({
      parent,
      step,
      namespace,
      object,
      relation,
      operator: more.operator ?? '',
      computed: more.computed ?? '',
      result: 'allowed',
    });
    assert.deepEqual(answer.steps, [
      step(-1, 'check', 'Document', 'onboarding', 'view'),
      step(0, 'rewrite', 'Document', 'onboarding', '', { operator: 'or' }),
      step(1, 'traverse', 'Document', 'onboarding', 'parents', { computed: 'view' }),
      step(2, 'check', 'Folder', 'handbook', 'view'),
      step(3, 'rewrite', 'Folder', 'handbook', '', { operator: 'or' }),
      step(4, 'check', 'Folder', 'handbook', 'viewers'),
      step(5, 'expand', 'Folder', 'handbook', 'viewers'),
      step(6, 'tuple', 'Group', 'engineering', 'members'),
    ]);
    assert.equal(answer.allowed, true);
    assert.equal(answer.truncated, false);
    assert.equal(answer.error, '');
    assert.notEqual(answer.snaptoken, '');
  });

  test('ExplainService.Check refuses an unknown namespace as CheckService.Check does', async () => {
    await assert.rejects(explainCheck(gh.grpc.read, { tuple: { namespace: 'Nope', object: 'x', relation: 'y', subject: { id: 'z' } } }), {
      code: grpc.status.NOT_FOUND,
      details: 'The requested resource could not be found: Unknown namespace with name "Nope".',
    });
  });

  test('server reflection describes ExplainService on the read port', async () => {
    const [answer] = await streamCall(
      gh.grpc.read,
      '/grpc.reflection.v1.ServerReflection/ServerReflectionInfo',
      'grpc.reflection.v1.ServerReflectionRequest',
      'grpc.reflection.v1.ServerReflectionResponse',
      [{ fileContainingSymbol: 'gatehouse.v1.ExplainService' }],
    );
    const files = answer.fileDescriptorResponse.fileDescriptorProto.map((bytes: Uint8Array) =>
      descriptor.FileDescriptorProto.toObject(descriptor.FileDescriptorProto.decode(bytes)),
    ) as { name: string; service?: { name: string; method: { name: string; inputType: string; outputType: string }[] }[] }[];
    assert.deepEqual(
      files.map((f) => f.name),
      ['gatehouse/v1/explain.proto', 'ory/keto/relation_tuples/v1alpha2/relation_tuples.proto'],
    );
    assert.deepEqual(
      files[0]!.service!.map((s) => [s.name, s.method.map((m) => [m.name, m.inputType, m.outputType])]),
      [['ExplainService', [['Check', '.gatehouse.v1.ExplainCheckRequest', '.gatehouse.v1.ExplainCheckResponse']]]],
    );
  });

  test('check --explain draws the three hops that allowed it, and exits 0', () => {
    assert.deepEqual(gatehouse('check', 'User:alice', 'view', 'Document:onboarding', '--explain'), {
      code: 0,
      stdout: [
        'Allowed',
        '✓ Document:onboarding#view',
        '└─ ✓ or (any of)',
        '   └─ ✓ traverse Document:onboarding#parents → view',
        '      └─ ✓ Folder:handbook#view',
        '         └─ ✓ or (any of)',
        '            └─ ✓ Folder:handbook#viewers',
        '               └─ ✓ subject sets of Folder:handbook#viewers',
        '                  └─ ✓ stored: Group:engineering#members@User:alice',
        '',
      ].join('\n'),
      stderr: '',
    });
  });

  test('check --explain of a denied check shows every branch tried, and exits 1', () => {
    const { code, stdout } = gatehouse('check', 'User:bob', 'edit', 'Folder:handbook', '--explain');
    assert.equal(code, 1);
    assert.equal(
      stdout,
      [
        'Denied',
        '✗ Folder:handbook#edit',
        '├─ ✗ or (any of)',
        '│  ├─ ✗ Folder:handbook#owners',
        '│  │  └─ ✗ subject sets of Folder:handbook#owners',
        '│  └─ ✗ traverse Folder:handbook#parents → edit',
        '├─ ✗ stored: Folder:handbook#edit@User:bob',
        '└─ ✗ subject sets of Folder:handbook#edit',
        '',
      ].join('\n'),
    );
  });

  test('check --explain --format json gives the answer and the explanation as the REST API does', () => {
    const { code, stdout } = gatehouse('check', 'User:bob', 'edit', 'Folder:handbook', '--explain', '--format', 'json');
    assert.equal(code, 1);
    const denied = (step: string, relation?: string, children: object[] = []) => ({
      step,
      namespace: 'Folder',
      object: 'handbook',
      ...(relation === undefined ? {} : { relation }),
      ...(step === 'rewrite' ? { operator: 'or' } : {}),
      ...(step === 'traverse' ? { computed: 'edit' } : {}),
      result: 'denied',
      children,
    });
    assert.deepEqual(JSON.parse(stdout), {
      allowed: false,
      explanation: denied('check', 'edit', [
        denied('rewrite', undefined, [denied('check', 'owners', [denied('expand', 'owners')]), denied('traverse', 'parents')]),
        denied('tuple', 'edit'),
        denied('expand', 'edit'),
      ]),
    });
  });

  test('check --explain colours the marks on a terminal only', async () => {
    const args = ['User:alice', 'view', 'Document:onboarding', '--explain', PLAIN];
    const tty = captureIo({ tty: true, env: { KETO_READ_REMOTE: gh.grpc.read } });
    assert.equal(await runCheck(args, tty), 0);
    const piped = captureIo({ env: { KETO_READ_REMOTE: gh.grpc.read } });
    assert.equal(await runCheck(args, piped), 0);
    assert.match(tty.stdoutText(), /^Allowed\n\x1b\[32m✓\x1b\[0m Document:onboarding#view\n/);
    assert.equal(tty.stdoutText().replace(/\x1b\[\d+m/g, ''), piped.stdoutText());
    assert.doesNotMatch(piped.stdoutText(), /\x1b/);
  });
});
