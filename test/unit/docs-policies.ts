/**
 * Policies from the Cilium docs' examples (seed 004), shared by the tests that run them at different
 * layers: the policy engine, the simulated datapath and the terminal.
 */
import { ciliumExample } from './cilium-examples';

/** The gRPC guide's `rule1`: public terminals may call three DoorManager methods on the door manager. */
export const cloudCityGrpcPolicy = ciliumExample('kubernetes-grpc/cc-door-ingress-security.yaml');
