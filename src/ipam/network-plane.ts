// A network plane: the vSwitches a pod's address may come from and the security groups of the ENI
// carrying it. ENIs are keyed by (vSwitch, sorted security groups), so pods whose planes differ
// in security groups never share an ENI: the bank's core-trade pods never ride an office ENI.
import type { VSwitchSelectionPolicy } from '../apis/podnetworking.js';

export interface NetworkPlane {
  /** Candidate vSwitches in preference order (the `ordered` policy keeps this order). */
  vSwitchIds: readonly string[];
  /** Security groups of the ENI; compared as a set. */
  securityGroupIds: readonly string[];
  selectionPolicy: VSwitchSelectionPolicy;
}

export function normalizeSecurityGroups(ids: readonly string[]): string[] {
  return [...new Set(ids)].sort();
}

/** The security-group half of an ENI's key: equal for the same set in any order. */
export function securityGroupKey(ids: readonly string[]): string {
  return normalizeSecurityGroups(ids).join(',');
}

export function eniKey(vSwitchId: string, securityGroupIds: readonly string[]): string {
  return `${vSwitchId}|${securityGroupKey(securityGroupIds)}`;
}

/** Whether an ENI with this vSwitch and these security groups can carry addresses of the plane. */
export function eniServesPlane(eni: { vSwitchId: string; securityGroupIds: readonly string[] }, plane: NetworkPlane): boolean {
  return plane.vSwitchIds.includes(eni.vSwitchId) && securityGroupKey(eni.securityGroupIds) === securityGroupKey(plane.securityGroupIds);
}

export function planeKey(plane: NetworkPlane): string {
  return `${[...plane.vSwitchIds].join(',')}|${securityGroupKey(plane.securityGroupIds)}`;
}
