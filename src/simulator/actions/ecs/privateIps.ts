// AssignPrivateIpAddresses and UnassignPrivateIpAddresses (at most 10 addresses a call).
import { z } from 'zod';
import { assignPrivateIpAddresses, unassignPrivateIpAddresses } from '../../model/interfaces.js';
import { p } from '../../server/params.js';
import { defineAction } from '../action.js';
import { stripUndefined } from './instances.js';

export const assignPrivateIpAddressesAction = defineAction({
  name: 'AssignPrivateIpAddresses',
  product: 'ecs',
  idempotent: true,
  params: z.object({
    RegionId: p.nonEmpty(),
    NetworkInterfaceId: p.nonEmpty(),
    SecondaryPrivateIpAddressCount: p.int().min(1).optional(),
    PrivateIpAddress: p.list(p.str()).optional(),
    ClientToken: p.str().optional(),
  }),
  handle: ({ cloud }, q) => {
    cloud.checkRegion(q.RegionId);
    const assigned = assignPrivateIpAddresses(
      cloud,
      q.NetworkInterfaceId,
      stripUndefined({ count: q.SecondaryPrivateIpAddressCount, addresses: q.PrivateIpAddress }),
    );
    return {
      AssignedPrivateIpAddressesSet: { NetworkInterfaceId: q.NetworkInterfaceId, PrivateIpSet: { PrivateIpAddress: assigned } },
    };
  },
});

export const unassignPrivateIpAddressesAction = defineAction({
  name: 'UnassignPrivateIpAddresses',
  product: 'ecs',
  params: z.object({
    RegionId: p.nonEmpty(),
    NetworkInterfaceId: p.nonEmpty(),
    PrivateIpAddress: p.list(p.str()).min(1),
  }),
  handle: ({ cloud }, q) => {
    cloud.checkRegion(q.RegionId);
    unassignPrivateIpAddresses(cloud, q.NetworkInterfaceId, q.PrivateIpAddress);
    return {};
  },
});
