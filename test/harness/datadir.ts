// Where control planes keep their data, and the clean-up of directories whose owner died.
import { statfsSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const dataDirPrefix = 'ack-cp-';

/** tmpfs when it has room (etcd fsyncs a lot), else the system temporary directory. */
export function dataDirBase(): string {
  const override = process.env.ACK_CP_TMPDIR;
  if (override) return override;
  try {
    const shm = statfsSync('/dev/shm');
    if (shm.bavail * shm.bsize > 2 * 1024 ** 3) return '/dev/shm';
  } catch {
    // no /dev/shm
  }
  return tmpdir();
}

/** Data directories whose owning process died without stop() (e.g. SIGKILL); their components died with it. */
export async function removeAbandonedDataDirs(baseDir: string): Promise<void> {
  const entries = await readdir(baseDir).catch(() => [] as string[]);
  await Promise.all(entries.filter((e) => e.startsWith(dataDirPrefix)).map(async (entry) => {
    const dir = join(baseDir, entry);
    const owner = Number(await readFile(join(dir, 'owner.pid'), 'utf8').catch(() => ''));
    if (Number.isInteger(owner) && owner > 0 && !processExists(owner)) await rm(dir, { recursive: true, force: true });
  }));
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
