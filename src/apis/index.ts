// The operator's API types in one import, and a lookup from apiVersion/kind to the zod schema
// that parses objects of that kind (at every trust boundary: watch events, kubectl input, tests).
import type { z } from 'zod';
import { ECSNodeClass, ECSNodeClassApiVersion, ECSNodeClassKind } from './ecsnodeclass.js';
import { NetworkNode, NetworkNodeKind } from './networknode.js';
import { NodeClaim, NodeClaimApiVersion, NodeClaimKind } from './nodeclaim.js';
import { NodePool, NodePoolApiVersion, NodePoolKind } from './nodepool.js';
import { PodENI, PodENIKind } from './podeni.js';
import { NetworkingApiVersion, PodNetworking, PodNetworkingKind } from './podnetworking.js';

export * from './conditions.js';
export * from './duration.js';
export * from './ecsnodeclass.js';
export * from './networknode.js';
export * from './nodeclaim.js';
export * from './nodepool.js';
export * from './podeni.js';
export * from './podnetworking.js';
export * from './quantity.js';
export { LabelSelector, NodeSelectorRequirement, Taint, type NodeSelectorRequirementWithMinValues } from './k8s.js';
export { ObjectMeta } from './meta.js';

const schemas = new Map<string, z.ZodType>([
  [`${NodePoolApiVersion}/${NodePoolKind}`, NodePool],
  [`${NodeClaimApiVersion}/${NodeClaimKind}`, NodeClaim],
  [`${ECSNodeClassApiVersion}/${ECSNodeClassKind}`, ECSNodeClass],
  [`${NetworkingApiVersion}/${PodNetworkingKind}`, PodNetworking],
  [`${NetworkingApiVersion}/${PodENIKind}`, PodENI],
  [`${NetworkingApiVersion}/${NetworkNodeKind}`, NetworkNode],
]);

/** The schema for objects of this apiVersion and kind, or undefined when the operator does not own the kind. */
export function schemaFor(apiVersion: string, kind: string): z.ZodType | undefined {
  return schemas.get(`${apiVersion}/${kind}`);
}

/** One line per problem, "path: message", as a person reads validation errors. */
export function formatIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '<root>'}: ${issue.message}`)
    .join('\n');
}
