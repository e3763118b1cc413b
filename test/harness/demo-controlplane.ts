// The demo's local cluster: starts a control plane, says how to use it, and stops it on Ctrl-C.
import { z } from 'zod';
import { startControlPlane } from './controlplane.js';

const began = Date.now();
const cp = await startControlPlane();
const version = await cp.kubectl(['version', '-o', 'json']);
const serverVersion = z.object({ serverVersion: z.object({ gitVersion: z.string() }) })
  .safeParse(JSON.parse(version.stdout || '{}')).data?.serverVersion.gitVersion ?? 'unknown';

process.stdout.write(`
Local Kubernetes ${serverVersion} is up in ${((Date.now() - began) / 1000).toFixed(1)} s: etcd, kube-apiserver,
kube-controller-manager, kube-scheduler, and kwok playing the kubelet of every Node.

In another terminal:
  export KUBECONFIG=${cp.kubeconfigPath}
  export PATH=${cp.binDir}:$PATH
  kubectl get namespaces
  kubectl create deployment hello --image=registry.k8s.io/pause:3.10 --replicas=2
  echo '{"apiVersion":"v1","kind":"Node","metadata":{"name":"kwok-node-0"}}' | kubectl apply -f -
  kubectl get pods -o wide      # scheduled onto kwok-node-0 and Running

Press Ctrl-C to stop (the cluster and its data are removed).
`);

let stopping = false;
const shutdown = (signal: NodeJS.Signals): void => {
  if (stopping) return;
  stopping = true;
  process.stdout.write(`\n${signal}: stopping the control plane...\n`);
  void cp.stop().then(() => {
    process.stdout.write('stopped.\n');
    process.exit(0);
  });
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
// Keeps the process alive until a signal arrives (the components themselves do not).
setInterval(() => undefined, 1 << 30);
