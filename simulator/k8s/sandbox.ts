/**
 * A pod as its node's kubelet runs it (kubelet.ts), and how its containers ran and ended: plain
 * data that world.ts holds per node and the datapath names, importing nothing that imports them.
 */
import type { PodSandboxState } from '../machines/pod-sandbox';
import type { ApplicationState } from './demo-apps/state';

/** How a pod's containers ended their last run, as the kubelet remembers it for lastState. */
export interface ContainerTermination {
  exitCode: number;
  reason: string;
  startedAtMs: number;
  finishedAtMs: number;
  /** What the run printed (`kubectl logs --previous`). */
  output: string;
}

/**
 * The containers' run inside a sandbox, once they exited at least once or may exit by themselves
 * (k8s/container-lifecycle.ts). Absent for the common case of containers that run until stopped.
 */
export interface ContainerRun {
  restartCount: number;
  state: 'running' | 'terminated' | 'waiting';
  startedAtMs: number;
  /** The current run's end (state terminated), or the backoff's reason (state waiting). */
  termination?: ContainerTermination;
  waitingReason?: string;
  waitingMessage?: string;
  /** The run before the current one. */
  last?: ContainerTermination;
  /** The next CrashLoopBackOff delay (10 s, doubling up to 5 min), once one applies. */
  backoffMs?: number;
  /** The pod finished for good (restartPolicy Never, or OnFailure after a success). */
  finished?: boolean;
}

/** A pod as its node's kubelet runs it. */
export interface Sandbox {
  podKey: string;
  podUid: string;
  state: PodSandboxState;
  /** The pod's address, once CNI ADD gave it one (the node's own with hostNetwork); undefined before. */
  ip?: string | undefined;
  /** Cilium endpoint id on this node, once the CNI plugin created one. */
  endpointId?: number | undefined;
  containerId: string;
  /** Files written into its containers (`kubectl cp`), by container, then absolute path. */
  files?: Record<string, Record<string, string>>;
  /** What the applications in its containers keep in memory (a broker's topics, an index), by container. */
  applications?: Record<string, ApplicationState>;
  /** The containers' restarts and exits, when there were or will be any. */
  run?: ContainerRun;
  /** Set while a readiness probe fails (a cilium-agent that has not finished starting). */
  notReady?: boolean;
}
