import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runPeerframe } from '../helpers/peerframeProcess.ts';

// Issue 15: a pipeline author outside the repository, with the CLI only: init, validate, test,
// pack, install; and `validate` on a single workflow file.

const root = mkdtempSync(join(tmpdir(), 'peerframe-authoring-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const corpus = new URL('../../packages/pipelines/fixtures/comfystream/', import.meta.url);

describe('peerframe pipeline, as an author outside the repository uses it', () => {
  const dir = join(root, 'My Desaturate');

  it('init writes a package with a node, a workflow and a test that pass validate and test', async () => {
    const init = await runPeerframe(['pipeline', 'init', dir]);
    expect(init).toMatchObject({ code: 0, stderr: '' });
    expect(init.stdout).toContain(join(dir, 'nodes/index.ts'));
    expect(JSON.parse(readFileSync(join(dir, 'pipeline.json'), 'utf8'))).toMatchObject({
      name: 'my-desaturate',
      nodes: 'nodes/index.ts',
    });
    expect((await runPeerframe(['pipeline', 'init', dir])).code).toBe(2); // not empty

    const validate = await runPeerframe(['pipeline', 'validate', dir]);
    expect(validate).toMatchObject({ code: 0, stderr: '' });
    expect(validate.stdout).toMatch(
      /^my-desaturate@0\.1\.0 is valid: 3 files, 0 model\(s\) with matching sha256\nnodes Desaturate: code that runs inside the orchestrator; allow it there with --allow-nodes sha256:([0-9a-f]{64})\npackage sha256 \1\n$/,
    );

    // Its test imports @peerframe/pipelines/authoring from a folder with no node_modules.
    const test = await runPeerframe(['pipeline', 'test', dir]);
    expect(test.code).toBe(0);
    expect(test.stdout).toMatch(/pass 2/);
    expect(test.stdout).toMatch(/fail 0/);
  });

  it('test fails when the node is wrong, and validate names a node module that does not load', async () => {
    const broken = join(root, 'broken');
    await runPeerframe(['pipeline', 'init', broken]);
    const node = join(broken, 'nodes', 'index.ts');
    // Desaturating to the wrong grey: the template's test must see it.
    writeFileSync(node, readFileSync(node, 'utf8').replace('scalar(128)]),', 'scalar(100)]),'));
    const test = await runPeerframe(['pipeline', 'test', broken]);
    expect(test.code).toBe(1);
    expect(test.stdout).toMatch(/fail [12]/);
    writeFileSync(
      node,
      "import { nothing } from '@peerframe/pipelines/authoring';\nexport default nothing;\n",
    );
    const validate = await runPeerframe(['pipeline', 'validate', broken]);
    expect(validate.code).toBe(1);
    expect(validate.stderr).toContain(
      "nodes: cannot load nodes/index.ts: The requested module '@peerframe/pipelines/authoring' does not provide an export named 'nothing'",
    );
  });

  it('packs and installs the package with its node folder', async () => {
    const pack = await runPeerframe(['pipeline', 'pack', dir, '--out', join(root, 'dist')]);
    expect(pack).toMatchObject({ code: 0, stderr: '' });
    const install = await runPeerframe([
      'pipeline',
      'install',
      join(root, 'dist', 'my-desaturate-0.1.0.tgz'),
      '--dir',
      join(root, 'pipelines'),
    ]);
    expect(install).toMatchObject({ code: 0, stderr: '' });
    expect(install.stdout).toContain(
      `installed my-desaturate@0.1.0 in ${join(root, 'pipelines', 'my-desaturate')}`,
    );
  });

  it('validates one workflow file: the package around it gives its nodes', async () => {
    const own = await runPeerframe(['pipeline', 'validate', join(dir, 'workflow.json')]);
    expect(own).toMatchObject({ code: 0, stderr: '' });
    expect(own.stdout).toBe(
      `${join(dir, 'workflow.json')} is a valid workflow: 3 nodes, 3 run per frame\n`,
    );
    const loose = join(root, 'loose');
    rmSync(loose, { recursive: true, force: true });
    await runPeerframe(['pipeline', 'init', loose]); // a folder to hold loose workflow files
    rmSync(join(loose, 'pipeline.json'));
    for (const file of [
      'ui-format-invert.json',
      'depth-background-blur-api.json',
      'three-outputs-api.json',
    ]) {
      copyFileSync(new URL(file, corpus), join(loose, file));
    }
    const ui = await runPeerframe(['pipeline', 'validate', join(loose, 'ui-format-invert.json')]);
    expect(ui.code).toBe(1);
    expect(ui.stderr).toContain('export it with Workflow → Export (API), "Save (API Format)"');
    const depth = await runPeerframe([
      'pipeline',
      'validate',
      join(loose, 'depth-background-blur-api.json'),
    ]);
    expect(depth.code).toBe(1);
    expect(depth.stderr).toContain(
      'Unsupported node types: needs a model/GPU node (1): DepthAnythingTensorrt',
    );
    const outputs = await runPeerframe([
      'pipeline',
      'validate',
      join(loose, 'three-outputs-api.json'),
    ]);
    expect(outputs).toMatchObject({ code: 0, stderr: '' });
  });
});
