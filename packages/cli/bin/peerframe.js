#!/usr/bin/env node
// The `peerframe` command once installed: runs the compiled CLI. It is committed (and executable)
// so that npm links it at install time, before `npm run build` has written `dist/`.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = new URL('../dist/main.js', import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  process.stderr.write(
    'peerframe: the CLI is not built yet: run `npm run build` in the repository ' +
      '(or `npm start` to run the local stack from source)\n',
  );
  process.exit(1);
}
await import(main.href);
