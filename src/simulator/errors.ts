// The OpenAPI error model: a code, a message and an HTTP status, answered as
// { RequestId, HostId, Code, Message, Recommend }. Codes and messages follow Alibaba Cloud's
// published ones so that clients classifying errors by code see what production sends.

export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly httpStatus: number = 400,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const apiErrors = {
  // Gateway: signature, credentials, routing.
  incompleteSignature: (detail: string) =>
    new ApiError('IncompleteSignature', `The request signature does not conform to Aliyun standards. ${detail}`, 400),
  signatureDoesNotMatch: () =>
    new ApiError('SignatureDoesNotMatch', 'Specified signature is not matched with our calculation.', 400),
  accessKeyNotFound: () => new ApiError('InvalidAccessKeyId.NotFound', 'Specified access key is not found.', 404),
  timestampExpired: (date: string) =>
    new ApiError('InvalidTimeStamp.Expired', `Specified time stamp or date value is expired. x-acs-date: ${date}`, 400),
  nonceUsed: () => new ApiError('SignatureNonceUsed', 'Specified signature nonce was used already.', 400),
  actionNotFound: (action: string) =>
    new ApiError('InvalidAction.NotFound', `Specified api ${action} is not found, please check your url and method.`, 404),
  invalidVersion: (version: string) =>
    new ApiError('InvalidVersion', `Specified parameter Version ${version} is not valid.`, 400),

  // Parameters.
  missingParameter: (name: string) => new ApiError(`Missing${name.replace(/\./g, '')}`, `${name} is mandatory for this action.`, 400),
  invalidParameter: (name: string, detail = '') =>
    new ApiError('InvalidParameter', `The specified parameter "${name}" is not valid.${detail ? ` ${detail}` : ''}`, 400),
  invalidRegion: (region: string) =>
    new ApiError('InvalidRegionId.NotFound', `The specified RegionId ${region} does not exist.`, 404),
  idempotentFailed: () =>
    new ApiError('IdempotentFailed', 'Request uses a client token in a previous request but is not identical to that request.', 400),

  // Availability and flow control.
  throttling: () => new ApiError('Throttling', 'Request was denied due to request throttling.', 400),
  throttlingUser: () => new ApiError('Throttling.User', 'Request was denied due to user flow control.', 400),
  internalError: () =>
    new ApiError('InternalError', 'The request processing has failed due to some unknown error, exception or failure.', 500),
  serviceUnavailable: () =>
    new ApiError('ServiceUnavailable', 'The request has failed due to a temporary failure of the server.', 503),

  // Resources.
  noStock: () =>
    new ApiError(
      'OperationDenied.NoStock',
      'The requested resource is sold out in the specified zone; try other types of resources or other regions and zones.',
      403,
    ),
  resourceTypeNotSupported: () =>
    new ApiError('InvalidResourceType.NotSupported', 'This resource type is not supported; please try other resource types.', 403),
  instanceTypeNotFound: (type: string) =>
    new ApiError('InvalidInstanceType.ValueNotSupported', `The specified InstanceType ${type} does not exist or beyond the permitted range.`, 400),
  spotPriceTooLow: () =>
    new ApiError('InvalidSpotPriceLimit.LowerThanPublicPrice', "The specified parameter spotPriceLimit can't be lower than current public price.", 400),
  imageNotFound: (id: string) => new ApiError('InvalidImageId.NotFound', `The specified ImageId ${id} does not exist.`, 404),
  vSwitchNotFound: (id: string) => new ApiError('InvalidVSwitchId.NotFound', `The specified VSwitchId ${id} does not exist.`, 404),
  vSwitchIpNotEnough: () =>
    new ApiError('InvalidVSwitchId.IpNotEnough', 'The specified VSwitch does not have enough IP addresses.', 403),
  securityGroupNotFound: (id: string) =>
    new ApiError('InvalidSecurityGroupId.NotFound', `The specified SecurityGroupId ${id} does not exist.`, 404),
  securityGroupVpcMismatch: () =>
    new ApiError('InvalidSecurityGroupId.NotVpc', 'The specified security group and vSwitch are not in the same VPC.', 400),
  instanceNotFound: (id: string) =>
    new ApiError('InvalidInstanceId.NotFound', `The specified InstanceId ${id} does not exist.`, 404),
  incorrectInstanceStatus: (status: string) =>
    new ApiError('IncorrectInstanceStatus', `The current status of the resource does not support this operation. Status: ${status}.`, 403),
  eniNotFound: (id: string) =>
    new ApiError('InvalidEniId.NotFound', `The specified NetworkInterfaceId ${id} does not exist.`, 404),
  invalidEniState: (status: string) =>
    new ApiError('InvalidOperation.InvalidEniState', `The operation is not allowed in the current ENI state ${status}.`, 403),
  eniInstanceMismatch: () =>
    new ApiError('InvalidOperation.InvalidEcsState', 'The network interface is not attached to the specified instance.', 403),
  eniZoneMismatch: () =>
    new ApiError('InvalidOperation.EniZoneMismatch', 'The network interface and the instance are not in the same zone.', 403),
  primaryEniOperation: () =>
    new ApiError('InvalidOperation.DetachPrimaryEniNotAllowed', 'The primary network interface cannot be detached or deleted.', 403),
  eniPerInstanceLimitExceeded: () =>
    new ApiError('EniPerInstanceLimitExceeded', 'The number of network interfaces attached to the instance exceeds the limit of its instance type.', 403),
  ipv4CountExceeded: () =>
    new ApiError('InvalidOperation.Ipv4CountExceeded', 'The number of private IPv4 addresses of the network interface exceeds the limit of the instance type.', 403),
  ipNotOnEni: (ip: string) =>
    new ApiError('InvalidIp.NotFound', `The private IP address ${ip} is not assigned to the network interface.`, 404),
  ipInUse: (ip: string) =>
    new ApiError('InvalidPrivateIpAddress.Duplicated', `The specified private IP address ${ip} is already in use.`, 400),
  ipOutOfRange: (ip: string) =>
    new ApiError('InvalidPrivateIpAddress.Malformed', `The specified private IP address ${ip} is not in the vSwitch CIDR block.`, 400),
  unassignPrimaryIp: () =>
    new ApiError('InvalidOperation.UnassignPrimaryIp', 'The primary private IP address of a network interface cannot be unassigned.', 403),
};
