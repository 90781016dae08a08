/**
 * Policies from the Cilium docs' examples (seed 004), shared by the tests that run them at different
 * layers: the policy engine, the simulated datapath and the terminal.
 */

/** The gRPC guide's `rule1`: public terminals may call three DoorManager methods on the door manager. */
export const cloudCityGrpcPolicy = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: rule1
spec:
  endpointSelector:
    matchLabels:
      app: cc-door-mgr
  ingress:
  - fromEndpoints:
    - matchLabels:
        app: public-terminal
    toPorts:
    - ports:
      - port: "50051"
        protocol: TCP
      rules:
        http:
        - method: "POST"
          path: "/cloudcity.DoorManager/GetName"
        - method: "POST"
          path: "/cloudcity.DoorManager/GetLocation"
        - method: "POST"
          path: "/cloudcity.DoorManager/RequestMaintenance"
`;
