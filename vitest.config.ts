import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));

// Workspace packages resolve to their TypeScript sources, as `node --conditions=source` does.
const alias = [
  {
    find: /^@peerframe\/([a-z-]+)$/,
    replacement: `${root}packages/$1/src/index.ts`,
  },
  {
    find: /^@peerframe\/([a-z-]+)\/([a-zA-Z-]+)$/,
    replacement: `${root}packages/$1/src/$2.ts`,
  },
];

// Orchestrators follow an installed-pipelines folder (default ~/.peerframe/pipelines) and a model
// store: every test process and node a test starts (they inherit this environment) gets empty
// ones of this run instead of the user's. A test that needs its own passes flags or variables.
const testHome = mkdtempSync(join(tmpdir(), 'peerframe-test-home-'));
process.env.PEERFRAME_PIPELINES_DIR = join(testHome, 'pipelines');
process.env.PEERFRAME_MODEL_CACHE = join(testHome, 'models');
// Every process a run starts (test workers, and the nodes and CLIs they spawn) loads the same
// modules: Node's compile cache keeps their compiled code between processes, and between runs.
process.env.NODE_COMPILE_CACHE ??= join(tmpdir(), 'peerframe-node-compile-cache');

export default defineConfig({
  resolve: { alias },
  test: {
    // @roamhq/wrtc crashes in worker threads: every test file gets its own process.
    pool: 'forks',
    reporters: ['default', './test/summaryReporter.ts'],
    projects: [
      {
        resolve: { alias },
        test: {
          name: 'unit',
          pool: 'forks',
          // Projects run one after the other: the real-time suites must not share the 2 cores.
          sequence: { groupOrder: 0 },
          include: ['packages/*/src/**/*.test.ts'],
          testTimeout: 30_000,
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'integration',
          pool: 'forks',
          sequence: { groupOrder: 1 },
          include: ['test/integration/**/*.test.ts', 'test/fuzz/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        resolve: { alias },
        test: {
          // One test per attack the nodes must refuse (docs/SECURITY.md): real nodes, real chain.
          name: 'security',
          pool: 'forks',
          sequence: { groupOrder: 2 },
          include: ['test/security/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 60_000,
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'e2e',
          pool: 'forks',
          sequence: { groupOrder: 3 },
          include: ['test/e2e/**/*.test.ts', 'test/conformance/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 60_000,
          // The e2e suite measures real-time video; two at once on 2 cores would starve each other.
          fileParallelism: false,
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'browser',
          pool: 'forks',
          sequence: { groupOrder: 4 },
          include: ['test/browser/**/*.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 120_000,
          // Chromium, the stack and the pipelines share 2 cores: one browser test at a time.
          fileParallelism: false,
        },
      },
    ],
  },
});
