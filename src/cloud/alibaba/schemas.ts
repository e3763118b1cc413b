// zod schemas of the OpenAPI answers the provider reads, in the SDK's camelCase model shape
// (the SDK maps the JSON's PascalCase fields to these). Only fields we consume are listed; a
// missing or mistyped one fails validation with its path instead of surfacing as undefined later.
import { z } from 'zod';

const str = z.string();
const id = z.string().min(1);
/** The SDK leaves an absent list undefined; the API omits empty lists. */
const list = <T extends z.ZodType>(item: T) => z.array(item).optional().default([]);

const tagKV = z.object({ key: str, value: str.optional().default('') });
const tagKeyValue = z.object({ tagKey: str, tagValue: str.optional().default('') });

// ECS DescribeZones
export const describeZonesBody = z.object({
  requestId: str.optional(),
  zones: z.object({ zone: list(z.object({ zoneId: id })) }).optional(),
});

// ECS DescribeInstanceTypes
export const instanceTypeModel = z.object({
  instanceTypeId: id,
  instanceTypeFamily: id,
  instanceCategory: str.optional(),
  cpuArchitecture: str.optional(),
  cpuCoreCount: z.number().int().positive(),
  memorySize: z.number().positive(),
  GPUAmount: z.number().int().nonnegative().optional(),
  GPUSpec: str.optional(),
  eniQuantity: z.number().int().nonnegative(),
  eniPrivateIpAddressQuantity: z.number().int().nonnegative(),
  eniIpv6AddressQuantity: z.number().int().nonnegative().optional(),
  eniTotalQuantity: z.number().int().nonnegative().optional(),
  eniTrunkSupported: z.boolean().optional(),
  instanceBandwidthRx: z.number().nonnegative().optional(),
});
export type InstanceTypeModel = z.infer<typeof instanceTypeModel>;

export const describeInstanceTypesBody = z.object({
  requestId: str.optional(),
  nextToken: str.optional(),
  instanceTypes: z.object({ instanceType: list(instanceTypeModel) }).optional(),
});

// ECS DescribeAvailableResource
const supportedResource = z.object({ value: str, status: str, statusCategory: str.optional() });
export const describeAvailableResourceBody = z.object({
  requestId: str.optional(),
  availableZones: z
    .object({
      availableZone: list(
        z.object({
          zoneId: id,
          status: str.optional(),
          statusCategory: str.optional(),
          availableResources: z
            .object({
              availableResource: list(
                z.object({
                  type: str.optional(),
                  supportedResources: z.object({ supportedResource: list(supportedResource) }).optional(),
                }),
              ),
            })
            .optional(),
        }),
      ),
    })
    .optional(),
});
export type AvailableResourceBody = z.infer<typeof describeAvailableResourceBody>;

// ECS DescribePrice
const priceDetail = z.object({ resource: str.optional(), tradePrice: z.number().nonnegative().optional() });
export const describePriceBody = z.object({
  requestId: str.optional(),
  priceInfo: z.object({
    price: z.object({
      tradePrice: z.number().nonnegative(),
      currency: str.optional(),
      detailInfos: z.object({ detailInfo: list(priceDetail) }).optional(),
    }),
  }),
});

// ECS DescribeSpotPriceHistory
export const describeSpotPriceHistoryBody = z.object({
  requestId: str.optional(),
  nextOffset: z.number().int().nonnegative().optional(),
  currency: str.optional(),
  spotPrices: z
    .object({
      spotPriceType: list(
        z.object({
          zoneId: id,
          instanceType: id,
          spotPrice: z.number().nonnegative(),
          originPrice: z.number().nonnegative().optional(),
          timestamp: str,
        }),
      ),
    })
    .optional(),
});

// VPC DescribeVSwitches
export const describeVSwitchesBody = z.object({
  requestId: str.optional(),
  totalCount: z.number().int().nonnegative().optional(),
  pageNumber: z.number().int().optional(),
  pageSize: z.number().int().optional(),
  vSwitches: z
    .object({
      vSwitch: list(
        z.object({
          vSwitchId: id,
          vpcId: id,
          zoneId: id,
          cidrBlock: str,
          availableIpAddressCount: z.number().int().nonnegative(),
          vSwitchName: str.optional().default(''),
          status: str.optional(),
          tags: z.object({ tag: list(tagKV) }).optional(),
        }),
      ),
    })
    .optional(),
});

// ECS DescribeSecurityGroups
export const describeSecurityGroupsBody = z.object({
  requestId: str.optional(),
  nextToken: str.optional(),
  totalCount: z.number().int().nonnegative().optional(),
  securityGroups: z
    .object({
      securityGroup: list(
        z.object({
          securityGroupId: id,
          vpcId: str.optional().default(''),
          securityGroupName: str.optional().default(''),
          tags: z.object({ tag: list(tagKeyValue) }).optional(),
        }),
      ),
    })
    .optional(),
});

// ECS DescribeImages
export const imageModel = z.object({
  imageId: id,
  imageName: str.optional().default(''),
  imageFamily: str.optional().default(''),
  imageVersion: str.optional().default(''),
  architecture: str,
  creationTime: str,
  status: str.optional(),
  OSType: str.optional(),
});
export type ImageModel = z.infer<typeof imageModel>;

export const describeImagesBody = z.object({
  requestId: str.optional(),
  totalCount: z.number().int().nonnegative().optional(),
  pageNumber: z.number().int().optional(),
  pageSize: z.number().int().optional(),
  images: z.object({ image: list(imageModel) }).optional(),
});

// ECS CreateAutoProvisioningGroup
export const launchResultModel = z.object({
  instanceType: str.optional(),
  zoneId: str.optional(),
  spotStrategy: str.optional(),
  errorCode: str.optional(),
  errorMsg: str.optional(),
  instanceIds: z.object({ instanceId: list(id) }).optional(),
});
export type LaunchResultModel = z.infer<typeof launchResultModel>;

export const createAutoProvisioningGroupBody = z.object({
  requestId: str.optional(),
  autoProvisioningGroupId: str.optional(),
  launchResults: z.object({ launchResult: list(launchResultModel) }).optional(),
});

// ECS RunInstances
export const runInstancesBody = z.object({
  requestId: str.optional(),
  instanceIdSets: z.object({ instanceIdSet: list(id) }).optional(),
  tradePrice: z.number().nonnegative().optional(),
});

// ECS DescribeInstances
export const instanceModel = z.object({
  instanceId: id,
  instanceName: str.optional().default(''),
  instanceType: id,
  zoneId: id,
  status: str,
  imageId: str.optional().default(''),
  spotStrategy: str.optional(),
  creationTime: str,
  vpcAttributes: z
    .object({
      vSwitchId: str.optional().default(''),
      privateIpAddress: z.object({ ipAddress: list(str) }).optional(),
    })
    .optional(),
  securityGroupIds: z.object({ securityGroupId: list(str) }).optional(),
  tags: z.object({ tag: list(tagKeyValue) }).optional(),
});
export type InstanceModel = z.infer<typeof instanceModel>;

export const describeInstancesBody = z.object({
  requestId: str.optional(),
  nextToken: str.optional(),
  totalCount: z.number().int().nonnegative().optional(),
  instances: z.object({ instance: list(instanceModel) }).optional(),
});

// Actions whose answer carries nothing but the request id.
export const emptyBody = z.object({ requestId: str.optional() });

// ECS network interfaces
const privateIpSets = z.object({
  privateIpSet: list(z.object({ privateIpAddress: str, primary: z.boolean().optional().default(false) })),
});

export const networkInterfaceModel = z.object({
  networkInterfaceId: id,
  status: z.enum(['Available', 'Attaching', 'InUse', 'Detaching', 'Deleting']),
  type: z.enum(['Primary', 'Secondary', 'Trunk']).optional().default('Secondary'),
  instanceId: str.optional(),
  vSwitchId: id,
  zoneId: id,
  macAddress: str.optional().default(''),
  privateIpAddress: str,
  privateIpSets: privateIpSets.optional(),
  securityGroupIds: z.object({ securityGroupId: list(str) }).optional(),
  tags: z.object({ tag: list(tagKeyValue) }).optional(),
  creationTime: str.optional(),
});
export type NetworkInterfaceModel = z.infer<typeof networkInterfaceModel>;

export const createNetworkInterfaceBody = networkInterfaceModel
  .omit({ status: true, creationTime: true })
  .extend({
    requestId: str.optional(),
    status: z.enum(['Available', 'Attaching', 'InUse', 'Detaching', 'Deleting']).optional().default('Available'),
  });

export const describeNetworkInterfacesBody = z.object({
  requestId: str.optional(),
  nextToken: str.optional(),
  totalCount: z.number().int().nonnegative().optional(),
  networkInterfaceSets: z.object({ networkInterfaceSet: list(networkInterfaceModel) }).optional(),
});

export const assignPrivateIpAddressesBody = z.object({
  requestId: str.optional(),
  assignedPrivateIpAddressesSet: z.object({
    networkInterfaceId: str.optional(),
    privateIpSet: z.object({ privateIpAddress: list(str) }),
  }),
});
