import { request as httpRequest } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import type { ManagedProcess } from './processes.js';

export interface HttpAnswer {
  status: number;
  body: string;
}

export type TlsOptions = Pick<RequestOptions, 'ca' | 'cert' | 'key' | 'rejectUnauthorized'>;

/** One GET; TLS options (CA, client certificate) come in `tls`. */
export function httpGet(url: string, tls: TlsOptions = {}): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const request = target.protocol === 'https:' ? httpsRequest(target, { ...tls, timeout: 5000 }) : httpRequest(target, { timeout: 5000 });
    request.once('timeout', () => request.destroy(new Error(`GET ${url} timed out`)));
    request.once('error', reject);
    request.once('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.once('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      response.once('error', reject);
    });
    request.end();
  });
}

/**
 * Polls `check` until it returns true. Fails early, with the log tail, if one of the `processes`
 * exits, and fails with the last error after `timeoutMs`.
 */
export async function waitUntil(what: string, check: () => Promise<boolean>, processes: ManagedProcess[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  for (let delay = 50; ; delay = Math.min(delay * 1.5, 500)) {
    const dead = processes.find((p) => !p.isRunning());
    if (dead) {
      const exit = await dead.exited;
      throw new Error(`${dead.name} exited (code ${exit.code}, signal ${exit.signal}) while waiting for ${what}:\n${await dead.logTail()}`);
    }
    try {
      if (await check()) return;
      lastError = '';
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() > deadline) {
      const logs = await Promise.all(processes.map(async (p) => `--- ${p.name} (${p.logPath})\n${await p.logTail(15)}`));
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${lastError}` : ''}\n${logs.join('\n')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}
