// Runs every bench:* script in package.json, one after another (they measure; running them in
// parallel on a shared machine would measure each other).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
const scripts = Object.keys(pkg.scripts ?? {}).filter((s) => s.startsWith('bench:')).sort();
let failed = 0;
for (const script of scripts) {
  const file = /(\S+\.ts)\b/.exec(pkg.scripts?.[script] ?? '')?.[1];
  if (file && !existsSync(join(root, file))) {
    console.log(`\n=== npm run ${script}: skipped, ${file} does not exist yet`);
    continue;
  }
  console.log(`\n=== npm run ${script}`);
  const r = spawnSync('npm', ['run', '-s', script], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`${script} exited with ${r.status}`);
    failed++;
  }
}
process.exitCode = failed > 0 ? 1 : 0;
