// What the image runs, without a container engine: the Dockerfile's build step (tsc with
// tsconfig.build.json) into a scratch /app laid out as the runtime stage lays it out
// (package.json, dist/, node_modules/), then the image's command, `node dist/main.js`, on the
// same Node.js as the tests. This catches what only compiled output hits: ESM specifiers, JSON
// imports, files tsc leaves out, an entry point that is not where the image looks.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { repoRoot } from '../harness/helm.js';

const run = promisify(execFile);
let app = '';

before(async () => {
  app = await mkdtemp(join(tmpdir(), 'ack-image-'));
  const tsc = join(repoRoot, 'node_modules/typescript/bin/tsc');
  await run(process.execPath, [tsc, '-p', join(repoRoot, 'tsconfig.build.json'), '--outDir', join(app, 'dist')], { cwd: repoRoot });
  await cp(join(repoRoot, 'package.json'), join(app, 'package.json'));
  await mkdir(join(app, 'data'));
  await cp(join(repoRoot, 'data/ecs-instance-types.json'), join(app, 'data/ecs-instance-types.json'));
  await symlink(join(repoRoot, 'node_modules'), join(app, 'node_modules'), 'dir');
}, { timeout: 180_000 });

after(async () => {
  if (app) await rm(app, { recursive: true, force: true });
});

/** `node dist/main.js ...` in /app with a clean environment, as the container starts it. */
async function operator(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['dist/main.js', ...args], {
      cwd: app, env: { NODE_ENV: 'production', PATH: process.env.PATH ?? '' }, timeout: 30_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number | string; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('the image command, node dist/main.js', () => {
  it('starts from the compiled output and lists its flags with --help', async () => {
    const result = await operator(['--help']);
    assert.equal(result.code, 0, result.stderr);
    for (const flag of ['--cluster-id', '--region', '--cloud-endpoint', '--credentials-dir', '--leader-elect', '--metrics-port', '--health-port']) {
      assert.ok(result.stdout.includes(flag), `--help lists ${flag}`);
    }
  });

  it('refuses to start without a cluster ID and says which flag and variable to set', async () => {
    const result = await operator([]);
    assert.notEqual(result.code, 0);
    assert.match(result.stdout + result.stderr, /--cluster-id \(CLUSTER_ID\)/);
  });
});

describe('the embedded cloud in the image (--cloud-endpoint=embedded)', () => {
  it('loads the instance-type catalog shipped in /app/data, not from outside the image', async () => {
    const script = `const m = await import('./dist/simulator/model/catalog.js');
      const c = m.loadCatalog();
      console.log(JSON.stringify({ path: m.defaultCatalogPath, types: c.instanceTypes.size, hangzhou: c.onDemandPrice('cn-hangzhou', 'ecs.g7.xlarge') }));`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: app, env: { PATH: process.env.PATH ?? '' } });
    const loaded = JSON.parse(stdout) as { path: string; types: number; hangzhou?: number };
    assert.equal(loaded.path, join(app, 'data/ecs-instance-types.json'));
    assert.equal(loaded.types, 302, 'every instance type of the catalog');
    assert.ok((loaded.hangzhou ?? 0) > 0, 'with prices');
  });
});
