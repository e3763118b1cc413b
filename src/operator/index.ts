// The operator runtime's public surface: what src/main.ts and src/controllers/* import.
// See README.md in this folder for how to write and register a controller.
export { Manager, type ManagerOptions } from './manager.js';
export {
  watch,
  ManualSource,
  TerminalError,
  type Controller,
  type KeyMapper,
  type ReconcileContext,
  type ReconcileResult,
  type Runnable,
  type RunContext,
  type WatchSource,
} from './controller/types.js';
export { periodic, sleep, untilAborted, type PeriodicOptions } from './controller/periodic.js';
export { BatchWindow, type BatchWindowOptions } from './controller/batch-window.js';
export { Informer, type InformerEvent, type InformerHandler } from './informers/informer.js';
export type { InformerSelector } from './informers/cache.js';
export type { EventRecorder, EventOptions, ObjectRef } from './events/recorder.js';
export { discardingRecorder } from './events/recorder.js';
export { loadKubeConfig } from './kube/kubeconfig.js';
export { createKubeClients, evictPod, patch, type KubeClients, type EvictionOutcome } from './kube/clients.js';
export { describeKubeError, isAlreadyExists, isConflict, isGone, isNotFound, isTooManyRequests, statusCodeOf, KubeApiError } from './kube/errors.js';
export { builtinResource, customResource, apiVersionOf, resourceName, InvalidObjectError, type ResourceType } from './kube/resource-type.js';
export type { KubeObject, Wire, Pod, Node, Namespace, DaemonSet, PodDisruptionBudget, Lease, PersistentVolumeClaim, ObjectMeta } from './kube/types.js';
export * from './resources.js';
export { keyOf, keyFor, splitKey, type ObjectName } from './keys.js';
export { createLogger, objectFields, logLevels, type LogLevel, type Logger } from './logger.js';
export { defaultLeaderElectionTimings, type LeaderElectionConfig } from './leader/elector.js';
export type { Check } from './health/server.js';
export { cachedCheck } from './health/cached-check.js';
