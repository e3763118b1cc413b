// The user-data contract between the operator's launcher and the node bootstrap (here played by
// the simulator). UserData is base64 of a shell script; the bootstrap reads exactly one line
//
//   export ACK_NODE_BOOTSTRAP='<json>'
//
// where <json> is NodeBootstrap below, single-quoted for the shell (a ' inside is written '\'').
// Every other line is the user's own and is ignored here. Without that line the instance does not
// join any cluster, as an instance without the ACK bootstrap would not.
import { z } from 'zod';

const quantity = z.string().regex(/^\d+(\.\d+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/, 'a Kubernetes quantity');
const quantityOrPercent = z.union([quantity, z.string().regex(/^\d+(\.\d+)?%$/, 'a percentage')]);
const resourceList = z.record(z.string(), quantity);

export const nodeBootstrapSchema = z.object({
  labels: z.record(z.string(), z.string()).default({}),
  taints: z
    .array(z.object({ key: z.string().min(1), value: z.string().optional(), effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']) }))
    .default([]),
  kubelet: z
    .object({
      maxPods: z.number().int().positive().optional(),
      podsPerCore: z.number().int().nonnegative().optional(),
      kubeReserved: resourceList.optional(),
      systemReserved: resourceList.optional(),
      evictionHard: z.record(z.string(), quantityOrPercent).optional(),
    })
    .default({}),
});

export type NodeBootstrap = z.output<typeof nodeBootstrapSchema>;
export type NodeBootstrapInput = z.input<typeof nodeBootstrapSchema>;

const bootstrapLine = /^\s*export\s+ACK_NODE_BOOTSTRAP='((?:[^']|'\\'')*)'\s*$/;

/**
 * The bootstrap settings in base64 user data; undefined when the script has no bootstrap line.
 * Throws (with zod's message) when the line is there but malformed: a broken launch, loudly.
 */
export function parseUserData(userDataBase64: string | undefined): NodeBootstrap | undefined {
  if (!userDataBase64) return undefined;
  const script = Buffer.from(userDataBase64, 'base64').toString('utf8');
  for (const line of script.split(/\r?\n/)) {
    const match = bootstrapLine.exec(line);
    if (!match) continue;
    const json = match[1]!.replace(/'\\''/g, "'");
    return nodeBootstrapSchema.parse(JSON.parse(json));
  }
  return undefined;
}

/** Builds user data the way the launcher should: the bootstrap line after the user's own script. */
export function encodeUserData(bootstrap: NodeBootstrapInput, userScript = '#!/bin/bash'): string {
  const json = JSON.stringify(nodeBootstrapSchema.parse(bootstrap)).replace(/'/g, "'\\''");
  const script = `${userScript.trimEnd()}\nexport ACK_NODE_BOOTSTRAP='${json}'\n`;
  return Buffer.from(script, 'utf8').toString('base64');
}
