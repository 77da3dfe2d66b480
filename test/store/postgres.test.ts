import { test } from 'node:test';
import { storeSuite } from './conformance.js';
import { postgresDatabase } from './databases.js';

const adminDsn = process.env['TEST_POSTGRES_DSN'];
if (adminDsn === undefined || adminDsn === '') {
  test('relationship store on PostgreSQL', { skip: 'TEST_POSTGRES_DSN is not set: the PostgreSQL store suite did not run' }, () => {});
} else {
  storeSuite('PostgreSQL', () => postgresDatabase(adminDsn));
}
