// Raw JSON GETs against the API server with the kubeconfig's credentials and TLS settings, the
// way @kubernetes/client-node's own Watch does. The informers list through this rather than the
// generated clients because those turn timestamps into Date objects while watch events keep them
// as strings: the cache must hold one form, the API server's.
import { HttpMethod, RequestContext, type KubeConfig } from '@kubernetes/client-node';
import { fetch } from 'undici';
import { KubeApiError } from './errors.js';

export async function getJson(
  kubeConfig: KubeConfig,
  path: string,
  query: Record<string, string | number | boolean | undefined>,
  signal: AbortSignal,
): Promise<unknown> {
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) throw new Error('the kubeconfig has no current cluster');
  const url = new URL(cluster.server.replace(/\/$/, '') + path);
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== '') url.searchParams.set(name, String(value));
  }
  const request = new RequestContext(url.toString(), HttpMethod.GET);
  await kubeConfig.applySecurityAuthentication(request);
  const response = await fetch(url, {
    method: 'GET',
    headers: { ...request.getHeaders(), accept: 'application/json' },
    dispatcher: request.getDispatcher(),
    signal,
  });
  const text = await response.text();
  if (response.status !== 200) {
    let message = text.slice(0, 500);
    let reason: string | undefined;
    try {
      const status = JSON.parse(text) as { message?: unknown; reason?: unknown };
      if (typeof status.message === 'string') message = status.message;
      if (typeof status.reason === 'string') reason = status.reason;
    } catch {
      // not a Status object; keep the text
    }
    throw new KubeApiError(response.status, `GET ${path}: ${response.status} ${message}`, reason);
  }
  return JSON.parse(text) as unknown;
}
