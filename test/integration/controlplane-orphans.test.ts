// Killing a test process, even with SIGKILL so that no clean-up code runs, must leave no etcd,
// API server, scheduler, controller manager or kwok behind, under either orphan guard.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { removeAbandonedDataDirs } from '../harness/datadir.js';
import { eventually } from '../harness/eventually.js';
import { processGroupMembers } from '../harness/processes.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const fixture = fileURLToPath(new URL('./fixtures/hold-controlplane.ts', import.meta.url));
const started = z.object({ processes: z.array(z.object({ name: z.string(), pid: z.number() })), dataDir: z.string() });

/** Runs the fixture until it reports its control plane; returns the report and the holder process. */
async function holdControlPlane(guard: 'setpriv' | 'watchdog') {
  const holder = spawn(process.execPath, ['--import', 'tsx', fixture], {
    cwd: repoRoot,
    env: { ...process.env, ACK_CP_ORPHAN_GUARD: guard },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  holder.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const exited = new Promise<void>((resolve) => holder.once('exit', () => resolve()));
  const firstLine = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: holder.stdout });
    lines.once('line', resolve);
    holder.once('exit', (code, signal) => reject(new Error(`fixture exited (${code ?? signal}) before starting:\n${stderr}`)));
  });
  return { report: started.parse(JSON.parse(firstLine)), holder, exited };
}

describe('control plane orphan safety', () => {
  for (const guard of ['setpriv', 'watchdog'] as const) {
    it(`leaves no component running after its test process is SIGKILLed (${guard} guard)`, async () => {
      const { report, holder, exited } = await holdControlPlane(guard);
      try {
        assert.deepEqual(report.processes.map((p) => p.name).sort(),
          ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kwok']);
        for (const p of report.processes) assert.ok(processGroupMembers(p.pid).length > 0, `${p.name} runs`);

        holder.kill('SIGKILL');
        await exited;

        const survivors = (): string[] => report.processes.filter((p) => processGroupMembers(p.pid).length > 0).map((p) => p.name);
        await eventually('every component has exited', async () => (survivors().length === 0 ? true : undefined),
          { timeoutMs: 5000, intervalMs: 100, lastSeen: () => survivors().join(', ') });

        // The next control plane started on this machine removes the data the dead one left behind.
        assert.ok(existsSync(report.dataDir), 'nothing removed the data directory yet');
        await removeAbandonedDataDirs(dirname(report.dataDir));
        assert.equal(existsSync(report.dataDir), false);
      } finally {
        holder.kill('SIGKILL');
        for (const p of report.processes) {
          try { process.kill(-p.pid, 'SIGKILL'); } catch { /* already gone */ }
        }
      }
    });
  }
});
