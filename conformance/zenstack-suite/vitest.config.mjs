// ZenStack's ORM client-API tests (upstream/, unchanged) against Tandem: `@zenstackhq/testtools`
// is replaced by adapter/testtools.mjs, which starts a fresh Tandem per test client.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const HERE = path.dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  root: HERE,
  resolve: {
    alias: { '@zenstackhq/testtools': path.join(HERE, 'adapter', 'testtools.mjs') },
  },
  test: {
    include: ['upstream/tests/e2e/orm/client-api/**/*.test.ts'],
    setupFiles: [path.join(HERE, 'adapter', 'matchers.mjs')],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    minWorkers: 1,
    typecheck: { enabled: false },
  },
});
