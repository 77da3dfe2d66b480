import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { CONFIG_KEYS } from '../../src/config/keys.js';

const API = /^(serve)\.(read|write|metrics|opl)(\.|$)/;

describe('docs/configuration.md', () => {
  const doc = readFileSync(new URL('../../../docs/configuration.md', import.meta.url), 'utf8');

  it('documents every key with its environment variable and default', () => {
    for (const key of CONFIG_KEYS) {
      const name = key.name.replace(API, '$1.<api>$3');
      const env = name.split('.').join('_').toUpperCase();
      const row = doc.split('\n').find((line) => line.startsWith(`| \`${name}\` |`));
      assert.ok(row !== undefined, `${name} is not documented`);
      assert.ok(row.includes(`\`${env}\``), `${name}: environment variable ${env} missing`);
      if (key.default !== undefined && !API.test(key.name + '.')) {
        assert.ok(row.includes(`\`${JSON.stringify(key.default)}\``), `${name}: default missing`);
      }
    }
  });
});
