// Child processes that cannot outlive the test process that started them.
//
// Each component runs in its own process group (so stop() reaches anything it forks) under
// `setpriv --pdeathsig KILL`: the kernel kills it the moment its parent dies, even when the
// parent was SIGKILLed and had no chance to clean up. Where setpriv is missing, a small shell
// watchdog polls the parent instead. A normal exit of the test process kills them synchronously.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ManagedProcess {
  readonly name: string;
  /** Also the process group id: the process leads its own group. */
  readonly pid: number;
  readonly logPath: string;
  readonly exited: Promise<ProcessExit>;
  isRunning(): boolean;
  /** SIGTERM to the group, then SIGKILL after `graceMs`; resolves once the process has exited. */
  stop(graceMs: number): Promise<void>;
  logTail(lines?: number): Promise<string>;
}

const live = new Set<ManagedProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of live) signalGroup(child.pid, 'SIGKILL');
  });
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

let setprivSupported: boolean | undefined;
function hasSetprivPdeathsig(): boolean {
  if (setprivSupported === undefined) {
    const probe = spawnSync('setpriv', ['--help'], { encoding: 'utf8' });
    setprivSupported = probe.status === 0 && probe.stdout.includes('--pdeathsig');
  }
  return setprivSupported;
}

// Fallback watchdog: runs the command, forwards SIGTERM, and SIGKILLs it once the parent is gone.
const watchdogScript = `parent=$1; shift
"$@" & child=$!
trap 'kill -TERM "$child" 2>/dev/null' TERM INT
while kill -0 "$parent" 2>/dev/null && kill -0 "$child" 2>/dev/null; do sleep 0.2; done
kill -KILL "$child" 2>/dev/null
wait "$child"`;

/**
 * The command line that runs `command` tied to this process's life.
 * `ACK_CP_ORPHAN_GUARD=watchdog` forces the shell watchdog (to test it where setpriv exists).
 */
export function orphanSafe(command: string, args: string[]): { command: string; args: string[] } {
  if (process.env.ACK_CP_ORPHAN_GUARD !== 'watchdog' && hasSetprivPdeathsig()) return { command: 'setpriv', args: ['--pdeathsig', 'KILL', '--', command, ...args] };
  return { command: 'sh', args: ['-c', watchdogScript, 'watchdog', String(process.pid), command, ...args] };
}

export function startManagedProcess(name: string, command: string, args: string[], logPath: string): ManagedProcess {
  installExitHook();
  const log = openSync(logPath, 'a');
  const wrapped = orphanSafe(command, args);
  const child = spawn(wrapped.command, wrapped.args, { detached: true, stdio: ['ignore', log, log] });
  closeSync(log);
  child.unref(); // a forgotten stop() must not keep the test process alive; the exit hook still kills it
  if (child.pid === undefined) throw new Error(`${name}: could not start ${command}`);
  const pid = child.pid;
  let running = true;
  const exited = new Promise<ProcessExit>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', () => resolve({ code: null, signal: null }));
  });
  const managed: ManagedProcess = {
    name,
    pid,
    logPath,
    exited,
    isRunning: () => running,
    async stop(graceMs) {
      if (!running) return;
      signalGroup(pid, 'SIGTERM');
      // A referenced timer: the children are unref'd, so it is what keeps the event loop alive until they exit.
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<'timeout'>((resolve) => { timer = setTimeout(resolve, graceMs, 'timeout'); });
      if ((await Promise.race([exited, grace])) === 'timeout') signalGroup(pid, 'SIGKILL');
      clearTimeout(timer);
      const keepAlive = setInterval(() => undefined, 1000);
      await exited;
      clearInterval(keepAlive);
      // Anything the process forked into its group goes with it.
      signalGroup(pid, 'SIGKILL');
    },
    async logTail(lines = 30) {
      const text = await readFile(logPath, 'utf8').catch(() => '');
      return text.split('\n').slice(-lines - 1).join('\n');
    },
  };
  void exited.then(() => {
    running = false;
    live.delete(managed);
  });
  live.add(managed);
  return managed;
}

/** Live (non-zombie) processes whose process group is `pgid`, read from /proc. */
export function processGroupMembers(pgid: number): number[] {
  const members: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited while we looked
    }
    // Fields after the parenthesised command name: state ppid pgrp ...
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] !== 'Z' && Number(fields[2]) === pgid) members.push(Number(entry));
  }
  return members;
}
