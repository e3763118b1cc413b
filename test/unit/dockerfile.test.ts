// There is no container engine here to build the image, so this reads the Dockerfile and
// .dockerignore the way a builder would and checks the properties the chart relies on: a
// multi-stage build, a non-root numeric user (runAsNonRoot needs a number), `node dist/main.js`,
// and a build context that holds what the COPY lines need and nothing else.
import assert from 'node:assert/strict';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot } from '../harness/helm.js';

interface Instruction { keyword: string; args: string }
interface Stage { from: string; name?: string; instructions: Instruction[] }

/** Joins continuation lines, drops comments and blank lines, and groups instructions by stage. */
function parseDockerfile(text: string): { args: Map<string, string>; stages: Stage[] } {
  const logical: string[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (pending === '' && (line === '' || line.startsWith('#'))) continue;
    if (line.endsWith('\\')) { pending += `${line.slice(0, -1)} `; continue; }
    logical.push(pending + line);
    pending = '';
  }
  const args = new Map<string, string>();
  const stages: Stage[] = [];
  for (const line of logical) {
    const [keyword = '', ...rest] = line.split(/\s+/);
    const instruction = { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    if (instruction.keyword === 'FROM') {
      const match = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(instruction.args);
      assert.ok(match, `FROM ${instruction.args}`);
      const image = (match[1] ?? '').replace(/^\$\{(\w+)\}$/, (_, name: string) => args.get(name) ?? name);
      stages.push({ from: image, ...(match[2] ? { name: match[2] } : {}), instructions: [] });
    } else if (stages.length === 0 && instruction.keyword === 'ARG') {
      const [name = '', value = ''] = instruction.args.split('=');
      args.set(name, value);
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return { args, stages };
}

const dockerfile = parseDockerfile(await readFile(join(repoRoot, 'Dockerfile'), 'utf8'));
const runtime = dockerfile.stages.at(-1);
const stage = (name: string): Stage => {
  const s = dockerfile.stages.find((x) => x.name === name);
  assert.ok(s, `a stage named ${name}`);
  return s;
};
const lines = (s: Stage | undefined, keyword: string): string[] =>
  (s?.instructions ?? []).filter((i) => i.keyword === keyword).map((i) => i.args);

describe('Dockerfile', () => {
  it('builds in Node 24 stages and runs on a small Node 24 runtime', () => {
    assert.ok(dockerfile.stages.length >= 2, 'multi-stage');
    for (const s of dockerfile.stages.slice(0, -1)) assert.match(s.from, /^node:24\b/);
    assert.match(runtime?.from ?? '', /^(gcr\.io\/distroless\/nodejs24-debian\d+|node:24-(bookworm-)?slim)\b/);
  });

  it('compiles with the locked dependencies, and ships only production dependencies', () => {
    const build = stage('build');
    assert.ok(lines(build, 'RUN').some((r) => /\bnpm ci\b/.test(r)), 'npm ci (lockfile exact), not npm install');
    assert.ok(lines(build, 'RUN').some((r) => /\bnpm run build\b/.test(r)));
    const deps = stage('prod-deps');
    assert.ok(lines(deps, 'RUN').some((r) => /\bnpm ci\b.*--omit=dev/.test(r)));
    const copies = lines(runtime, 'COPY');
    assert.ok(copies.some((c) => /--from=prod-deps\s+\/app\/node_modules\b/.test(c)));
    assert.ok(copies.some((c) => /--from=build\s+\/app\/dist\b/.test(c)));
    assert.ok(!copies.some((c) => /--from=build\s+\/app\/node_modules\b/.test(c)), 'no dev dependencies in the image');
    assert.ok(!copies.some((c) => /\bsrc\b/.test(c)), 'no TypeScript sources in the image');
    assert.ok(copies.some((c) => /^package\.json\s/.test(c)), 'package.json ("type": "module") ships with dist/');
  });

  it('runs as the non-root numeric user 65532', () => {
    const users = lines(runtime, 'USER');
    assert.ok(users.length > 0, 'the runtime stage sets USER');
    assert.match(users.at(-1) ?? '', /^65532(:65532)?$/);
  });

  it('starts the operator with node dist/main.js', () => {
    const entry = [...lines(runtime, 'ENTRYPOINT'), ...lines(runtime, 'CMD')].map((x) => JSON.parse(x) as string[]).flat();
    assert.match(entry[0] ?? '', /(^|\/)node$/);
    assert.equal(entry[1], 'dist/main.js');
    assert.equal(lines(runtime, 'WORKDIR').at(-1), '/app');
  });

  it('ships the embedded simulator\'s catalog where the compiled simulator reads it (/app/data)', async () => {
    // dist/simulator/model/catalog.js resolves ../../../data/ecs-instance-types.json: /app/data in the image.
    const copies = lines(runtime, 'COPY').filter((c) => !c.startsWith('--from='));
    const data = copies.map((c) => c.split(/\s+/)).find((parts) => parts.slice(0, -1).some((src) => /^data(\/ecs-instance-types\.json)?\/?$/.test(src)));
    assert.ok(data, 'the runtime stage copies data/ecs-instance-types.json from the build context');
    assert.match(data.at(-1) ?? '', /^(\.\/|\/app\/)?data\/?$/, 'into /app/data');
    const catalogSource = await readFile(join(repoRoot, 'src/simulator/model/catalog.ts'), 'utf8');
    assert.match(catalogSource, /new URL\('\.\.\/\.\.\/\.\.\/data\/ecs-instance-types\.json'/, 'the simulator resolves the catalog relative to the package root');
  });

  it('tsc writes the entry point where the image runs it (src/main.ts -> dist/main.js)', async () => {
    const build = JSON.parse(await readFile(join(repoRoot, 'tsconfig.build.json'), 'utf8')) as { compilerOptions: { rootDir: string; outDir: string } };
    assert.equal(build.compilerOptions.rootDir, 'src');
    assert.equal(build.compilerOptions.outDir, 'dist');
    const pkg = JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8')) as { type: string; scripts: Record<string, string> };
    assert.equal(pkg.type, 'module');
    assert.match(pkg.scripts.build ?? '', /tsc -p tsconfig\.build\.json/);
  });
});

describe('.dockerignore', () => {
  const patterns = readFile(join(repoRoot, '.dockerignore'), 'utf8').then((text) => text.split('\n')
    .map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#')));
  /** Docker's pattern syntax (Go filepath.Match plus `**`), dot files included. */
  const toRegExp = (pattern: string): RegExp => new RegExp(`^${pattern.replace(/^\//, '')
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*\*\/?|\*|\?/g, (m) => (m.startsWith('**') ? '.*' : m === '*' ? '[^/]*' : '[^/]'))}$`);
  /** The last matching pattern wins and `!` re-includes; a pattern matching a directory covers its contents. */
  const included = async (path: string): Promise<boolean> => {
    const prefixes = path.split('/').map((_, i, parts) => parts.slice(0, i + 1).join('/'));
    let keep = true;
    for (const pattern of await patterns) {
      const negated = pattern.startsWith('!');
      const re = toRegExp(negated ? pattern.slice(1) : pattern);
      if (prefixes.some((p) => re.test(p))) keep = negated;
    }
    return keep;
  };

  it('sends what the COPY lines need', async () => {
    for (const path of ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'src/main.ts', 'src/operator/manager.ts']) {
      assert.ok(await included(path), `${path} is in the build context`);
    }
  });

  it('sends every source a COPY line names (without --from)', async () => {
    for (const s of dockerfile.stages) {
      for (const copy of lines(s, 'COPY').filter((c) => !c.startsWith('--from='))) {
        for (const source of copy.split(/\s+/).filter((p) => !p.startsWith('--')).slice(0, -1)) {
          const path = source.replace(/\/$/, '');
          const info = await stat(join(repoRoot, path));
          // A directory counts as sent when its first (non-test) file is.
          const file = info.isDirectory() ? `${path}/${(await readdir(join(repoRoot, path))).sort().find((f) => !f.endsWith('.test.ts')) ?? ''}` : path;
          assert.ok(await included(file), `COPY ${copy}: ${file} is in the build context`);
        }
      }
    }
  });

  it('keeps dependencies, build output, tests, git and local state out', async () => {
    for (const path of ['node_modules/zod/package.json', 'dist/main.js', '.git/config', 'test/unit/chart.test.ts', 'src/operator/manager.test.ts', '.cache/helm/x', 'charts/ack-node-operator/values.yaml', '.env', 'data/README.md']) {
      assert.equal(await included(path), false, `${path} is excluded`);
    }
  });
});
