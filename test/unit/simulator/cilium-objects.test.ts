import { describe, expect, it } from 'vitest';
import { listObjects } from '../../../simulator/k8s/api-store';
import { clusterWithCilium } from './support';

// The CiliumIdentity and CiliumEndpoint objects the agents write, as the API server stores them in
// each version: the identity's Kubernetes labels without the `k8s:` prefix and without the
// synthesized namespace labels (SanitizeK8sLabels), the endpoint's owner reference without
// controller or blockOwnerDeletion, and generation 1 on both custom resources.

describe('cilium objects: what the agents write to the API server', () => {
  for (const version of ['1.12.0', '1.14.5', '1.18.5'])
    it(`${version}: CoreDNS's identity and endpoint`, () => {
      const simulation = clusterWithCilium(4, 1, version);
      const api = simulation.state.cluster!.api;
      const endpoint = listObjects(api, 'CiliumEndpoint').find((object) =>
        object.metadata.name.startsWith('coredns-'),
      );
      const pod = listObjects(api, 'Pod').find((object) => object.metadata.name === endpoint?.metadata.name);
      expect(endpoint?.metadata.generation).toBe(1);
      expect(endpoint?.metadata.ownerReferences).toEqual([
        { apiVersion: 'v1', kind: 'Pod', name: pod?.metadata.name, uid: pod?.metadata.uid },
      ]);
      const identity = listObjects(api, 'CiliumIdentity').find(
        (object) => object.metadata.name === String(endpoint?.status.identity?.id),
      );
      expect(identity?.metadata.generation).toBe(1);
      expect(identity?.metadata.labels).toEqual({
        'io.cilium.k8s.policy.cluster': 'default',
        'io.cilium.k8s.policy.serviceaccount': 'coredns',
        'io.kubernetes.pod.namespace': 'kube-system',
        'k8s-app': 'kube-dns',
      });
      expect(identity?.['security-labels']).toMatchObject({
        'k8s:io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name': 'kube-system',
      });
    });
});
