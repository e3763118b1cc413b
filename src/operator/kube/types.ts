// Kubernetes object types as the API server sends them. The generated model classes of
// @kubernetes/client-node type timestamps as Date, which is only true after its own
// deserializer ran; watch events and the informer cache hold the JSON form, so Wire<> maps every
// Date to the RFC 3339 string it really is.
import type {
  V1DaemonSet,
  V1Lease,
  V1Namespace,
  V1Node,
  V1ObjectMeta,
  V1Pod,
  V1PodDisruptionBudget,
  V1PersistentVolumeClaim,
} from '@kubernetes/client-node';

export type Wire<T> = T extends Date
  ? string
  : T extends ReadonlyArray<infer U>
    ? Array<Wire<U>>
    : T extends object
      ? { [K in keyof T]: Wire<T[K]> }
      : T;

export type ObjectMeta = Wire<V1ObjectMeta>;

/** What the runtime needs of any object: its identity. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    generation?: number;
    deletionTimestamp?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
}

export type Pod = Wire<V1Pod>;
export type Node = Wire<V1Node>;
export type Namespace = Wire<V1Namespace>;
export type DaemonSet = Wire<V1DaemonSet>;
export type PodDisruptionBudget = Wire<V1PodDisruptionBudget>;
export type Lease = Wire<V1Lease>;
export type PersistentVolumeClaim = Wire<V1PersistentVolumeClaim>;
