// The node pool controller, keyed by instance id: registers an instance with the IPAM engine as
// soon as it is Running, so its pool warms up before pods land (pre-warm), and removes it when
// its Node and NodeClaim are gone (its ENIs are detached and deleted).
//
//  - A Karpenter node is known from its NodeClaim's status.providerID (launched) before its Node
//    registers. Until then the pool is kept under the name the Node will get: ACK names nodes
//    `<region>.<primary private IP>`. If the Node registers under another name, the early pool is
//    torn down and the node registered again under its real name.
//  - Any other Node with a providerID the cloud knows (nodes not managed by Karpenter) is
//    registered under its name.
//  - The NodeClaim's AnnotationPlannedPodNetworks (written by the provisioner) says which pods
//    are coming, per PodNetworking: those (vSwitch, security group) pools are warmed too, while
//    no pod is bound to the node yet.
//  - Pool sizes: pool-size.ts (Node, NodeClaim, NodePool template annotations, then settings).
//  - While a Node is being deleted its pods still drain: the pool stays until the Node is gone
//    and its NodeClaim is gone or terminating.
import { AnnotationPodNetworking, LabelNodePool } from '../../apis/labels.js';
import type { NodeClaim } from '../../apis/nodeclaim.js';
import { isIpamError } from '../../ipam/errors.js';
import { resolvePodNetwork } from '../../ipam/pod-network-resolver.js';
import { PodIndex, type Node, type ReconcileContext, type ReconcileResult } from '../../operator/index.js';
import { ClaimIndex, NodeIndex } from '../shared/cluster-informers.js';
import { nodeFacts, type IpamContext } from './context.js';
import { plannedPodNetworks, poolSizeFrom } from './pool-size.js';

interface InstanceFacts {
  zone: string;
  instanceType: string;
  privateIp?: string;
}

export class NodePoolController {
  /** Instance facts never change once Running: looked up in the cloud once per instance. */
  private readonly instances = new Map<string, InstanceFacts>();
  /** Instances whose planned pod networks were warmed (once per instance and process). */
  private readonly planned = new Set<string>();

  constructor(private readonly ctx: IpamContext) {}

  /** The engine's node name for an instance, if registered. */
  registeredName(instanceId: string): string | undefined {
    for (const name of this.ctx.engine.nodeNames()) if (this.ctx.engine.nodeState(name)?.instanceId === instanceId) return name;
    return undefined;
  }

  private liveClaim(instanceId: string): NodeClaim | undefined {
    return this.ctx.claims.byIndex(ClaimIndex.byInstanceId, instanceId).find((c) => !c.metadata.deletionTimestamp);
  }

  private async instanceFacts(instanceId: string): Promise<InstanceFacts | 'pending' | 'unknown'> {
    const cached = this.instances.get(instanceId);
    if (cached) return cached;
    const instance = await this.ctx.cloud.getInstance(instanceId);
    if (!instance || instance.state === 'Stopping' || instance.state === 'Stopped' || instance.state === 'Deleted') return 'unknown';
    if (instance.state !== 'Running') return 'pending';
    const facts: InstanceFacts = { zone: instance.zone, instanceType: instance.instanceType };
    if (instance.privateIpAddress) facts.privateIp = instance.privateIpAddress;
    this.instances.set(instanceId, facts);
    return facts;
  }

  async reconcile(instanceId: string, rc: ReconcileContext): Promise<ReconcileResult | void> {
    const { engine } = this.ctx;
    const node: Node | undefined = this.ctx.nodes.byIndex(NodeIndex.byInstanceId, instanceId)[0];
    const claim = this.liveClaim(instanceId);
    const registered = this.registeredName(instanceId);

    if (!node && !claim) {
      this.instances.delete(instanceId);
      this.planned.delete(instanceId);
      if (registered) {
        await engine.removeNode(registered);
        rc.log.info({ node: registered, instanceId }, 'node gone: its ENIs are released');
      }
      return;
    }
    if (node?.metadata?.deletionTimestamp) return; // draining: its pods keep their addresses until the Node is gone

    const facts = await this.instanceFacts(instanceId);
    if (facts === 'pending') return { requeueAfter: this.ctx.options.instancePendingRetryMs };
    if (facts === 'unknown') {
      // Not an instance of this region (or already released): nothing to pool.
      if (registered) await engine.removeNode(registered);
      return;
    }
    const name = node?.metadata?.name ?? (facts.privateIp ? `${this.ctx.cloud.region}.${facts.privateIp}` : undefined);
    if (!name) return { requeueAfter: this.ctx.options.instancePendingRetryMs };
    const labelled = nodeFacts(node);
    const zone = labelled.zone ?? facts.zone;
    const typeName = labelled.instanceType ?? facts.instanceType;
    const instanceType = this.ctx.catalog.info(typeName);
    if (!instanceType) {
      rc.log.info({ instanceId, instanceType: typeName }, 'instance type not in the catalog yet; waiting');
      return { requeueAfter: 5_000 };
    }

    const nodePoolName = claim?.metadata.labels?.[LabelNodePool] ?? node?.metadata?.labels?.[LabelNodePool];
    const nodePool = nodePoolName ? this.ctx.nodePools.get(nodePoolName) : undefined;
    const sizes = poolSizeFrom([node?.metadata?.annotations, claim?.metadata.annotations, nodePool?.spec.template.metadata?.annotations]);
    for (const problem of sizes.problems) {
      if (node) rc.recorder.warning(node, 'InvalidPoolSize', problem);
      else if (claim) rc.recorder.warning(claim, 'InvalidPoolSize', problem);
    }

    if (registered && registered !== name) {
      rc.log.warn({ instanceId, expected: registered, actual: name }, 'node registered under another name than expected; moving its pool');
      await engine.removeNode(registered);
    }
    const isNew = !registered || registered !== name;
    await engine.registerNode({ name, instanceId, zone, instanceType, pool: sizes.pool }, { warmUp: false });
    if (isNew) rc.log.info({ node: name, instanceId, zone, instanceType: typeName, fromClaim: !node }, 'node pool registered');

    // The planned networks first: on a small instance the ENI slots are few, and the pods the
    // provisioner placed here need theirs more than the default pool's minimum does.
    let plan: Record<string, number> | undefined;
    if (claim && !this.planned.has(instanceId) && this.ctx.pods.byIndex(PodIndex.byNodeName, name).length === 0) {
      plan = await this.warmPlanned(name, claim, rc);
    }
    if (!plan || (plan[''] ?? 0) > 0) {
      try {
        await this.warmDefault(name);
      } catch (err) {
        // Warming is an optimisation: pods still get addresses when they land (or an Event says why not).
        rc.log.info({ node: name, err: isIpamError(err) ? err.message : String(err) }, 'default pool not warmed');
      }
    }
    // Pods that were bound before the pool existed get their addresses now.
    for (const pod of this.ctx.pods.byIndex(PodIndex.byNodeName, name)) {
      if (pod.metadata?.namespace && pod.metadata.name) this.ctx.podTrigger.trigger(`${pod.metadata.namespace}/${pod.metadata.name}`);
    }
    return undefined;
  }

  /** The default pool of one node up to its minPoolSize (and warmUpSize). */
  private async warmDefault(nodeName: string): Promise<void> {
    const state = this.ctx.engine.nodeState(nodeName);
    if (!state) return;
    // registerNode is idempotent: called again with warm-up on, it only fills the default pool.
    await this.ctx.engine.registerNode({
      name: nodeName,
      instanceId: state.instanceId,
      zone: state.zone,
      instanceType: { name: state.instanceType, eniQuantity: state.capacity.adapters, eniPrivateIpAddressQuantity: state.capacity.ipv4PerAdapter },
      pool: state.pool,
    });
  }

  /** Warms the pools of the networks the provisioner planned onto the node; returns the plan. */
  private async warmPlanned(nodeName: string, claim: NodeClaim, rc: ReconcileContext): Promise<Record<string, number> | undefined> {
    const { plan, invalid } = plannedPodNetworks(claim.metadata.annotations);
    if (invalid) rc.recorder.warning(claim, 'InvalidPlannedPodNetworks', invalid);
    const instanceId = this.registeredInstance(nodeName);
    if (!plan || !instanceId) return plan;
    const podNetworkings = this.ctx.podNetworkings.list();
    for (const [podNetworking, count] of Object.entries(plan)) {
      if (count <= 0 || podNetworking === '') continue; // the default network is the default pool's
      const resolution = resolvePodNetwork({
        pod: { namespace: '', name: `planned-${podNetworking || 'default'}`, ...(podNetworking ? { annotations: { [AnnotationPodNetworking]: podNetworking } } : {}) },
        namespaceLabels: undefined,
        podNetworkings,
        defaults: this.ctx.settings.ipam.defaults,
        defaultEniType: this.ctx.settings.defaultEniType === 'ENI' ? 'ENI' : 'ENIIP',
      });
      if (resolution.kind !== 'Resolved') {
        rc.log.info({ podNetworking, reason: resolution.kind === 'Invalid' ? resolution.message : resolution.reason }, 'planned network cannot be warmed');
        continue;
      }
      try {
        await this.ctx.engine.warmUpNetwork(nodeName, resolution.network, count);
        rc.log.info({ node: nodeName, podNetworking: podNetworking || '(default)', count, idle: this.ctx.engine.idleCount(nodeName) }, 'pool warmed for planned pods');
      } catch (err) {
        // The pods will still get addresses when they land; warming is an optimisation.
        rc.log.warn({ err: isIpamError(err) ? err.message : String(err), podNetworking }, 'could not warm the pool for planned pods');
      }
    }
    this.planned.add(instanceId);
    return plan;
  }

  private registeredInstance(nodeName: string): string | undefined {
    return this.ctx.engine.nodeState(nodeName)?.instanceId;
  }
}
