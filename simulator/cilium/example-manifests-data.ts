/**
 * The files under cilium/cilium's `examples/` that the 19 pages of Cilium's security documentation
 * apply by URL or show, as each release has them. Manifests are facts: each text below is the file
 * as it is upstream, byte for byte.
 *
 * Copyright Authors of Cilium, licensed under the Apache License, Version 2.0
 * (https://github.com/cilium/cilium/blob/main/LICENSE). Taken from the cilium/cilium repository at
 * v1.12.0, v1.14.5, the v1.15 branch point (main at 1.15.0-dev, December 2023), v1.16.0, v1.17.0 and
 * v1.18.3; no file of this table changed on the v1.18 branch after 1.18.3 up to its last backport
 * of October 2025. A variant holds from its release until the next variant's.
 *
 * `removedOnMain`: the file is gone from the main branch (the Kafka examples were removed after 1.18).
 */

/** The Cilium releases this table holds files for, oldest first. */
export const exampleReleases = ['1.12', '1.14', '1.15', '1.16', '1.17', '1.18'] as const;
export type ExampleRelease = (typeof exampleReleases)[number];

/** One text of a file, from a release on; `undefined` while the file does not exist. */
export interface ExampleVariant {
  readonly since: ExampleRelease;
  readonly text: string | undefined;
}

export interface ExampleFile {
  readonly variants: readonly ExampleVariant[];
  readonly removedOnMain?: true;
}

/** Keyed by the path under `examples/`. */
export const ciliumExampleFiles: Readonly<Record<string, ExampleFile>> = {
  'kubernetes-dns/dns-matchname-openshift.yaml': {
    variants: [
      {
        since: '1.12',
        text: `apiVersion: "cilium.io/v2"
kind: CiliumNetworkPolicy
metadata:
  name: "fqdn"
spec:
  endpointSelector:
    matchLabels:
      org: empire
      class: mediabot
  egress:
  - toFQDNs:
    - matchName: "api.twitter.com"  
  - toEndpoints:
    - matchLabels:
        "k8s:io.kubernetes.pod.namespace": openshift-dns
    toPorts:
    - ports:
      - port: "5353"
        protocol: ANY
      rules:
        dns:
        - matchPattern: "*"
`,
      },
      {
        since: '1.14',
        text: `apiVersion: "cilium.io/v2"
kind: CiliumNetworkPolicy
metadata:
  name: "fqdn"
spec:
  endpointSelector:
    matchLabels:
      org: empire
      class: mediabot
  egress:
  - toFQDNs:
    - matchName: "api.github.com"  
  - toEndpoints:
    - matchLabels:
        "k8s:io.kubernetes.pod.namespace": openshift-dns
    toPorts:
    - ports:
      - port: "5353"
        protocol: ANY
      rules:
        dns:
        - matchPattern: "*"
`,
      },
    ],
  },
  'kubernetes-dns/dns-matchname.yaml': {
    variants: [
      {
        since: '1.12',
        text: `apiVersion: "cilium.io/v2"
kind: CiliumNetworkPolicy
metadata:
  name: "fqdn"
spec:
  endpointSelector:
    matchLabels:
      org: empire
      class: mediabot
  egress:
  - toFQDNs:
    - matchName: "api.twitter.com"  
  - toEndpoints:
    - matchLabels:
        "k8s:io.kubernetes.pod.namespace": kube-system
        "k8s:k8s-app": kube-dns
    toPorts:
    - ports:
      - port: "53"
        protocol: ANY
      rules:
        dns:
        - matchPattern: "*"
`,
      },
      {
        since: '1.14',
        text: `apiVersion: "cilium.io/v2"
kind: CiliumNetworkPolicy
metadata:
  name: "fqdn"
spec:
  endpointSelector:
    matchLabels:
      org: empire
      class: mediabot
  egress:
  - toFQDNs:
    - matchName: "api.github.com"
  - toEndpoints:
    - matchLabels:
        "k8s:io.kubernetes.pod.namespace": kube-system
        "k8s:k8s-app": kube-dns
    toPorts:
    - ports:
      - port: "53"
        protocol: ANY
      rules:
        dns:
        - matchPattern: "*"
`,
      },
    ],
  },
  'kubernetes-dns/dns-pattern.yaml': {
    variants: [
      {
        since: '1.12',
        text: `apiVersion: "cilium.io/v2"
kind: CiliumNetworkPolicy
metadata:
  name: "fqdn"
spec:
  endpointSelector:
    matchLabels:
      org: empire
      class: mediabot
  egress:
  - toFQDNs:
    - matchPattern: "*.twitter.com" 
  - toEndpoints:
    - matchLabels:
        "k8s:io.kubernetes.pod.namespace": kube-system
        "k8s:k8s-app": kube-dns
    toPorts:
    - ports:
      - port: "53"
        protocol: ANY
      rules:
        dns:
        - matchPattern: "*"
`,
      },
      {
        since: '1.14',
        text: `apiVersion: "cilium.io/v2"
kind: CiliumNetworkPolicy
metadata:
  name: "fqdn"
spec:
  endpointSelector:
    matchLabels:
      org: empire
      class: mediabot
  egress:
  - toFQDNs:
    - matchPattern: "*.github.com"
  - toEndpoints:
    - matchLabels:
        "k8s:io.kubernetes.pod.namespace": kube-system
        "k8s:k8s-app": kube-dns
    toPorts:
    - ports:
      - port: "53"
        protocol: ANY
      rules:
        dns:
        - matchPattern: "*"
`,
      },
    ],
  },
  'kubernetes-dns/dns-port.yaml': {
    variants: [
      {
        since: '1.12',
        text: `apiVersion: "cilium.io/v2"
kind: CiliumNetworkPolicy
metadata:
  name: "fqdn"
spec:
  endpointSelector:
    matchLabels:
      org: empire
      class: mediabot
  egress:
  - toFQDNs:
    - matchPattern: "*.twitter.com" 
    toPorts:
    - ports:
      - port: "443"
        protocol: TCP 
  - toEndpoints:
    - matchLabels:
        "k8s:io.kubernetes.pod.namespace": kube-system
        "k8s:k8s-app": kube-dns
    toPorts:
    - ports:
      - port: "53"
        protocol: ANY
      rules:
        dns:
        - matchPattern: "*"    
`,
      },
      {
        since: '1.14',
        text: `apiVersion: "cilium.io/v2"
kind: CiliumNetworkPolicy
metadata:
  name: "fqdn"
spec:
  endpointSelector:
    matchLabels:
      org: empire
      class: mediabot
  egress:
  - toFQDNs:
    - matchPattern: "*.github.com"
    toPorts:
    - ports:
      - port: "443"
        protocol: TCP
  - toEndpoints:
    - matchLabels:
        "k8s:io.kubernetes.pod.namespace": kube-system
        "k8s:k8s-app": kube-dns
    toPorts:
    - ports:
      - port: "53"
        protocol: ANY
      rules:
        dns:
        - matchPattern: "*"
`,
      },
    ],
  },
  'kubernetes-dns/dns-sw-app.yaml': {
    variants: [
      {
        since: '1.12',
        text: `---
apiVersion: v1
kind: Pod
metadata:
  name: mediabot
  labels:
    org: empire
    class: mediabot
spec:
  containers:
  - name: mediabot
    image: docker.io/tgraf/netperf
`,
      },
      {
        since: '1.15',
        text: `---
apiVersion: v1
kind: Pod
metadata:
  name: mediabot
  labels:
    org: empire
    class: mediabot
spec:
  containers:
  - name: mediabot
    image: docker.io/cilium/json-mock
`,
      },
      {
        since: '1.16',
        text: `---
apiVersion: v1
kind: Pod
metadata:
  name: mediabot
  labels:
    org: empire
    class: mediabot
spec:
  containers:
  - name: mediabot
    image: quay.io/cilium/json-mock:v1.3.8@sha256:5aad04835eda9025fe4561ad31be77fd55309af8158ca8663a72f6abb78c2603
`,
      },
    ],
  },
  'kubernetes-es/es-sw-app.yaml': {
    variants: [
      {
        since: '1.12',
        text: `---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: elasticsearch
---
apiVersion: v1
kind: Service
metadata:
  name: elasticsearch
  labels:
    component: elasticsearch
spec:
  type: NodePort
  selector:
    component: elasticsearch
  ports:
  - name: http
    port: 9200
    protocol: TCP
  - name: transport
    port: 9300
    protocol: TCP
---
apiVersion: v1
kind: ReplicationController
metadata:
  name: es
  labels:
    component: elasticsearch
spec:
  replicas: 1
  template:
    metadata:
      labels:
        component: elasticsearch
    spec:
      serviceAccount: elasticsearch
      initContainers:
      - name: init-sysctl
        image: docker.io/library/busybox:1.31.1
        imagePullPolicy: IfNotPresent
        command: ["sysctl", "-w", "vm.max_map_count=262144"]
        securityContext:
          privileged: true
      containers:
      - name: es
        securityContext:
          capabilities:
            add:
              - IPC_LOCK
        image: quay.io/pires/docker-elasticsearch-kubernetes:5.6.2
        env:
        - name: KUBERNETES_CA_CERTIFICATE_FILE
          value: /var/run/secrets/kubernetes.io/serviceaccount/ca.crt
        - name: NAMESPACE
          valueFrom:
            fieldRef:
              fieldPath: metadata.namespace
        - name: "CLUSTER_NAME"
          value: "myesdb"
        - name: "DISCOVERY_SERVICE"
          value: "elasticsearch"
        - name: NODE_MASTER
          value: "true"
        - name: NODE_DATA
          value: "true"
        - name: HTTP_ENABLE
          value: "true"
        ports:
        - containerPort: 9200
          name: http
          protocol: TCP
        - containerPort: 9300
          name: transport
          protocol: TCP
        volumeMounts:
        - mountPath: /data
          name: storage
      volumes:
      - name: storage
        emptyDir: {}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: elasticsearch
rules:
- apiGroups:
  - ""
  resources:
  - endpoints
  verbs:
  - get
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: elasticsearch
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: elasticsearch
subjects:
- kind: ServiceAccount
  name: elasticsearch
  namespace: default
---
apiVersion: v1
kind: Pod
metadata:
  name: outpost
  labels:
    app: outpost
spec:
  containers:
  - name: esclient
    image: docker.io/cilium/esclient:v2 
---
apiVersion: v1
kind: Pod
metadata:
  name: empire-hq
  labels:
    app: empire-hq
spec:
  containers:
  - name: esclient
    image: docker.io/cilium/esclient:v2 
---
apiVersion: v1
kind: Pod
metadata:
  name: spaceship
  labels:
    app: spaceship
spec:
  containers:
  - name: esclient
    image: docker.io/cilium/esclient:v2

`,
      },
    ],
  },
  'kubernetes-es/es-sw-policy.yaml': {
    variants: [
      {
        since: '1.12',
        text: `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: secure-empire-elasticsearch
  namespace: default
specs:
- endpointSelector:
    matchLabels:
      component: elasticsearch
  ingress:
  - fromEndpoints:
    - matchLabels:
        app: spaceship
    toPorts:
    - ports:
      - port: "9200"
        protocol: TCP
      rules:
        http:
        - method: ^PUT$
          path: ^/spaceship_diagnostics/stats/.*$
  - fromEndpoints:
    - matchLabels:
        app: empire-hq
    toPorts:
    - ports:
      - port: "9200"
        protocol: TCP
      rules:
        http:
        - method: ^GET$
          path: ^/spaceship_diagnostics/_search/??.*$
        - method: ^GET$
          path: ^/troop_logs/_search/??.*$
  - fromEndpoints:
    - matchLabels:
        app: outpost
    toPorts:
    - ports:
      - port: "9200"
        protocol: TCP
      rules:
        http:
        - method: ^PUT$
          path: ^/troop_logs/log/.*$
- egress:
  - toEndpoints:
    - matchExpressions:
      - key: k8s:io.kubernetes.pod.namespace
        operator: Exists
  - toEntities:
    - cluster
    - host
  endpointSelector: {}
  ingress:
  - {}
`,
      },
    ],
  },
  'kubernetes-grpc/cc-door-app.yaml': {
    variants: [
      {
        since: '1.12',
        text: `apiVersion: apps/v1
kind: Deployment
metadata:
  labels:
    app: cc-door-mgr
    zgroup: grpcExample
  name: cc-door-mgr
spec:
  replicas: 1
  selector:
    matchLabels:
      app: cc-door-mgr
  template:
    metadata:
      labels:
        app: cc-door-mgr
        zgroup: grpcExample
    spec:
      containers:
      - name: cc-door-mgr
        image: docker.io/cilium/cc-grpc-demo:v3.0
        imagePullPolicy: IfNotPresent
        command: ["python3"]
        args: ["/cloudcity/cc_door_server.py"]
        ports:
        - containerPort: 50051
          name:          grpc
        livenessProbe:
          tcpSocket:
            port: 50051
          initialDelaySeconds: 30
          failureThreshold: 10
          periodSeconds: 10
        readinessProbe:
          tcpSocket:
            port: 50051
          initialDelaySeconds: 5
          periodSeconds: 5
---
apiVersion: v1
kind: Service
metadata:
  labels:
    app: cc-door-server
    zgroup: grpcExample
  name: cc-door-server
spec:
  ports:
  - port: 50051
    protocol: TCP
    targetPort: 50051
  selector:
    app: cc-door-mgr
  sessionAffinity: None
  type: ClusterIP
---
apiVersion: v1
kind: Pod
metadata:
  labels:
    app: public-terminal
    zgroup: grpcExample
  name: terminal-87
spec:
  containers:
  - name: cc-door-client
    image: docker.io/cilium/cc-grpc-demo:v3.0
    imagePullPolicy: IfNotPresent
    command: ["sleep"]
    args: ["300000"]
`,
      },
    ],
  },
  'kubernetes-grpc/cc-door-ingress-security.yaml': {
    variants: [
      {
        since: '1.12',
        text: `apiVersion: "cilium.io/v2"
kind: CiliumNetworkPolicy
metadata:
  name: "rule1"
spec:
  description: L7 policy to allow public terminals to call GetName, GetLocation, and RequestMaintenance, but not GetState, or SetAccessCode on the Door Manager Service
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
`,
      },
    ],
  },
  'kubernetes-kafka/kafka-sw-app.yaml': {
    variants: [
      {
        since: '1.12',
        text: `---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: kafka-broker
spec:
  selector:
    matchLabels:
      app: kafka
  replicas: 1
  template:
    metadata:
      labels:
        app: kafka
    spec:
      containers:
      - name: kafka
        image: docker.io/wurstmeister/kafka:1.1.0
        ports:
        - containerPort: 9092
        env:
        - name: KAFKA_ADVERTISED_HOST_NAME
          value: kafka-service
        - name: KAFKA_ZOOKEEPER_CONNECT
          value: zook:2181
        - name: KAFKA_BROKER_ID
          value: "1"
        - name: KAFKA_CREATE_TOPICS
          value: "empire-announce:1:1,deathstar-plans:1:1"
        - name: KAFKA_ZOOKEEPER_SESSION_TIMEOUT_MS
          value: "60000"
        - name: KAFKA_ZOOKEEPER_CONNECTION_TIMEOUT_MS
          value: "60000"
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: zookeeper
spec:
  selector:
    matchLabels:
      app: zook
  replicas: 1
  template:
    metadata:
      labels:
        app: zook
    spec:
      containers:
      - name: zookeeper
        image: docker.io/cilium/zookeeper:1.0
        ports:
        - containerPort: 2181
---
apiVersion: v1
kind: Service
metadata:
  name: zook
  labels:
    app: zook
spec:
  ports:
  - port: 2181
    name: zookeeper-port
    targetPort: 2181
    protocol: TCP
  selector:
    app: zook
---
apiVersion: v1
kind: Service
metadata:
  name: kafka-service
  labels:
    app: kafka
spec:
  ports:
  - port: 9092
    name: kafka-port
    targetPort: 9092
    protocol: TCP
  selector:
    app: kafka
  clusterIP: None
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: empire-hq
spec:
  selector:
    matchLabels:
      app: empire-hq
  replicas: 1
  template:
    metadata:
      labels:
        app: empire-hq
    spec:
      containers:
      - name: empire-hq
        image: docker.io/cilium/kafkaclient
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: empire-outpost-8888
spec:
  selector:
    matchLabels:
      app: empire-outpost
      outpostid: "8888"
  replicas: 1
  template:
    metadata:
      labels:
        app: empire-outpost
        outpostid: "8888"
    spec:
      containers:
      - name: empire-outpost-8888
        image: docker.io/cilium/kafkaclient
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: empire-outpost-9999
spec:
  selector:
    matchLabels:
      app: empire-outpost
      outpostid: "9999"
  replicas: 1
  template:
    metadata:
      labels:
        app: empire-outpost
        outpostid: "9999"
    spec:
      containers:
      - name: empire-outpost-9999
        image: docker.io/cilium/kafkaclient
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: empire-backup
spec:
  selector:
    matchLabels:
      app: empire-backup
  replicas: 1
  template:
    metadata:
      labels:
        app: empire-backup
    spec:
      containers:
      - name: empire-backup
        image: docker.io/cilium/kafkaclient
`,
      },
    ],
    removedOnMain: true,
  },
  'kubernetes-kafka/kafka-sw-security-policy.yaml': {
    variants: [
      {
        since: '1.12',
        text: `apiVersion: "cilium.io/v2"
kind: CiliumNetworkPolicy
metadata:
  name: "secure-empire-kafka"
specs:
  - description: Allow only permitted Kafka requests to empire Kafka broker
    endpointSelector:
      matchLabels:
        app: kafka
    ingress:
    - fromEndpoints:
      - matchLabels:
          app: empire-hq
      toPorts:
      - ports:
        - port: "9092"
          protocol: TCP
        rules:
          kafka:
          - role: "produce"
            topic: "deathstar-plans"
          - role: "produce"
            topic: "empire-announce"
    - fromEndpoints:
      - matchLabels:
          app: kafka
  - endpointSelector:
      matchLabels:
        app: kafka
    ingress:
    - fromEndpoints:
      - matchLabels:
          app: empire-outpost
      toPorts:
      - ports:
        - port: "9092"
          protocol: TCP
        rules:
          kafka:
          - role: "consume"
            topic: "empire-announce"
  - endpointSelector:
      matchLabels:
        app: kafka
    ingress:
    - fromEndpoints:
      - matchLabels:
          app: empire-backup
      toPorts:
      - ports:
        - port: "9092"
          protocol: TCP
        rules:
          kafka:
          - role: "consume"
            topic: "deathstar-plans"
`,
      },
    ],
    removedOnMain: true,
  },
  'kubernetes-tls-inspection/l7-visibility-tls.yaml': {
    variants: [
      {
        since: '1.12',
        text: `apiVersion: "cilium.io/v2"
kind: CiliumNetworkPolicy
metadata:
  name: "l7-visibility-tls"
spec:
  description: L7 policy with TLS
  endpointSelector:
    matchLabels:
      org: empire
      class: mediabot
  egress:
  - toFQDNs:
    - matchName: "artii.herokuapp.com"
    toPorts:
    - ports:
      - port: "443"
        protocol: "TCP"
      terminatingTLS:
        secret:
          namespace: "kube-system"
          name: "artii-tls-data"
      originatingTLS:
        secret:
          namespace: "kube-system"
          name: "tls-orig-data"
      rules:
        http:
        - {}
  - toPorts:
    - ports:
      - port: "53"
        protocol: ANY
      rules:
        dns:
          - matchPattern: "*"
`,
      },
      {
        since: '1.17',
        text: `apiVersion: "cilium.io/v2"
kind: CiliumNetworkPolicy
metadata:
  name: "l7-visibility-tls"
spec:
  description: L7 policy with TLS
  endpointSelector:
    matchLabels:
      org: empire
      class: mediabot
  egress:
  - toFQDNs:
    - matchName: "httpbin.org"
    toPorts:
    - ports:
      - port: "443"
        protocol: "TCP"
      terminatingTLS:
        secret:
          namespace: "kube-system"
          name: "httpbin-tls-data"
      originatingTLS:
        secret:
          namespace: "kube-system"
          name: "tls-orig-data"
      rules:
        http:
        - {}
  - toPorts:
    - ports:
      - port: "53"
        protocol: ANY
      rules:
        dns:
          - matchPattern: "*"
`,
      },
    ],
  },
  'minikube/http-sw-app.yaml': {
    variants: [
      {
        since: '1.12',
        text: `---
apiVersion: v1
kind: Service
metadata:
  name: deathstar
  labels:
    app.kubernetes.io/name: deathstar
spec:
  type: ClusterIP
  ports:
  - port: 80
  selector:
    org: empire
    class: deathstar
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: deathstar
  labels:
    app.kubernetes.io/name: deathstar
spec:
  replicas: 2
  selector:
    matchLabels:
      org: empire
      class: deathstar
  template:
    metadata:
      labels:
        org: empire
        class: deathstar
        app.kubernetes.io/name: deathstar
    spec:
      containers:
      - name: deathstar
        image: docker.io/cilium/starwars
---
apiVersion: v1
kind: Pod
metadata:
  name: tiefighter
  labels:
    org: empire
    class: tiefighter
    app.kubernetes.io/name: tiefighter
spec:
  containers:
  - name: spaceship
    image: docker.io/tgraf/netperf
---
apiVersion: v1
kind: Pod
metadata:
  name: xwing
  labels:
    app.kubernetes.io/name: xwing
    org: alliance
    class: xwing
spec:
  containers:
  - name: spaceship
    image: docker.io/tgraf/netperf
`,
      },
      {
        since: '1.15',
        text: `---
apiVersion: v1
kind: Service
metadata:
  name: deathstar
  labels:
    app.kubernetes.io/name: deathstar
spec:
  type: ClusterIP
  ports:
  - port: 80
  selector:
    org: empire
    class: deathstar
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: deathstar
  labels:
    app.kubernetes.io/name: deathstar
spec:
  replicas: 2
  selector:
    matchLabels:
      org: empire
      class: deathstar
  template:
    metadata:
      labels:
        org: empire
        class: deathstar
        app.kubernetes.io/name: deathstar
    spec:
      containers:
      - name: deathstar
        image: docker.io/cilium/starwars
---
apiVersion: v1
kind: Pod
metadata:
  name: tiefighter
  labels:
    org: empire
    class: tiefighter
    app.kubernetes.io/name: tiefighter
spec:
  containers:
  - name: spaceship
    image: docker.io/cilium/json-mock
---
apiVersion: v1
kind: Pod
metadata:
  name: xwing
  labels:
    app.kubernetes.io/name: xwing
    org: alliance
    class: xwing
spec:
  containers:
  - name: spaceship
    image: docker.io/cilium/json-mock
`,
      },
      {
        since: '1.16',
        text: `---
apiVersion: v1
kind: Service
metadata:
  name: deathstar
  labels:
    app.kubernetes.io/name: deathstar
spec:
  type: ClusterIP
  ports:
  - port: 80
  selector:
    org: empire
    class: deathstar
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: deathstar
  labels:
    app.kubernetes.io/name: deathstar
spec:
  replicas: 2
  selector:
    matchLabels:
      org: empire
      class: deathstar
  template:
    metadata:
      labels:
        org: empire
        class: deathstar
        app.kubernetes.io/name: deathstar
    spec:
      containers:
      - name: deathstar
        image: quay.io/cilium/starwars:v2.1@sha256:833d915ec68fca3ce83668fc5dae97c455b2134d8f23ef96586f55b894cfb1e8
---
apiVersion: v1
kind: Pod
metadata:
  name: tiefighter
  labels:
    org: empire
    class: tiefighter
    app.kubernetes.io/name: tiefighter
spec:
  containers:
  - name: spaceship
    image: quay.io/cilium/json-mock:v1.3.8@sha256:5aad04835eda9025fe4561ad31be77fd55309af8158ca8663a72f6abb78c2603
---
apiVersion: v1
kind: Pod
metadata:
  name: xwing
  labels:
    app.kubernetes.io/name: xwing
    org: alliance
    class: xwing
spec:
  containers:
  - name: spaceship
    image: quay.io/cilium/json-mock:v1.3.8@sha256:5aad04835eda9025fe4561ad31be77fd55309af8158ca8663a72f6abb78c2603
`,
      },
      {
        since: '1.18',
        text: `---
apiVersion: v1
kind: Service
metadata:
  name: deathstar
  labels:
    app.kubernetes.io/name: deathstar
spec:
  type: ClusterIP
  ports:
  - port: 80
  selector:
    org: empire
    class: deathstar
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: deathstar
  labels:
    app.kubernetes.io/name: deathstar
spec:
  replicas: 2
  selector:
    matchLabels:
      org: empire
      class: deathstar
  template:
    metadata:
      labels:
        org: empire
        class: deathstar
        app.kubernetes.io/name: deathstar
    spec:
      containers:
      - name: deathstar
        # renovate: datasource=docker depName=quay.io/cilium/starwars
        image: quay.io/cilium/starwars@sha256:896dc536ec505778c03efedb73c3b7b83c8de11e74264c8c35291ff6d5fe8ada # v2.3
---
apiVersion: v1
kind: Pod
metadata:
  name: tiefighter
  labels:
    org: empire
    class: tiefighter
    app.kubernetes.io/name: tiefighter
spec:
  containers:
  - name: spaceship
    image: quay.io/cilium/json-mock:v1.3.8@sha256:5aad04835eda9025fe4561ad31be77fd55309af8158ca8663a72f6abb78c2603
---
apiVersion: v1
kind: Pod
metadata:
  name: xwing
  labels:
    app.kubernetes.io/name: xwing
    org: alliance
    class: xwing
spec:
  containers:
  - name: spaceship
    image: quay.io/cilium/json-mock:v1.3.8@sha256:5aad04835eda9025fe4561ad31be77fd55309af8158ca8663a72f6abb78c2603
`,
      },
    ],
  },
  'minikube/sw_deny_policy.yaml': {
    variants: [
      {
        since: '1.12',
        text: `apiVersion: "cilium.io/v2"
kind: CiliumNetworkPolicy
metadata:
  name: "empire-default-deny"
spec:
  description: "Default-deny ingress policy for the empire"
  endpointSelector:
    matchLabels:
      org: empire
  ingress:
  - {}
`,
      },
    ],
  },
  'minikube/sw_l3_l4_l7_policy.yaml': {
    variants: [
      {
        since: '1.12',
        text: `apiVersion: "cilium.io/v2"
kind: CiliumNetworkPolicy
metadata:
  name: "rule1"
spec:
  description: "L7 policy to restrict access to specific HTTP call"
  endpointSelector:
    matchLabels:
      org: empire
      class: deathstar
  ingress:
  - fromEndpoints:
    - matchLabels:
        org: empire
    toPorts:
    - ports:
      - port: "80"
        protocol: TCP
      rules:
        http:
        - method: "POST"
          path: "/v1/request-landing"
`,
      },
    ],
  },
  'minikube/sw_l3_l4_policy.yaml': {
    variants: [
      {
        since: '1.12',
        text: `apiVersion: "cilium.io/v2"
kind: CiliumNetworkPolicy
metadata:
  name: "rule1"
spec:
  description: "L3-L4 policy to restrict deathstar access to empire ships only"
  endpointSelector:
    matchLabels:
      org: empire
      class: deathstar
  ingress:
  - fromEndpoints:
    - matchLabels:
        org: empire
    toPorts:
    - ports:
      - port: "80"
        protocol: TCP
`,
      },
    ],
  },
  'policies/getting-started/kafka.yaml': {
    variants: [
      {
        since: '1.12',
        text: `apiVersion: "cilium.io/v2"
kind: CiliumNetworkPolicy
metadata:
  name: "rule2"
spec:
  description: "enable outposts to consume empire-announce"
  endpointSelector:
    matchLabels:
      app: kafka
  ingress:
  - fromEndpoints:
    - matchLabels:
        app: empire-outpost
    toPorts:
    - ports:
      - port: "9092"
        protocol: TCP
      rules:
        kafka:
        - role: "consume"
          topic: "empire-announce"
`,
      },
    ],
    removedOnMain: true,
  },
  'policies/host/demo-host-policy.yaml': {
    variants: [
      {
        since: '1.12',
        text: `apiVersion: "cilium.io/v2"
kind: CiliumClusterwideNetworkPolicy
metadata:
  name: "demo-host-policy"
spec:
  description: ""
  nodeSelector:
    matchLabels:
      node-access: ssh
  ingress:
  - fromEntities:
    - cluster
  - toPorts:
    - ports:
      - port: "22"
        protocol: TCP
`,
      },
      {
        since: '1.14',
        text: `apiVersion: "cilium.io/v2"
kind: CiliumClusterwideNetworkPolicy
metadata:
  name: "demo-host-policy"
spec:
  description: ""
  nodeSelector:
    matchLabels:
      node-access: ssh
  ingress:
  - fromEntities:
    - cluster
  - toPorts:
    - ports:
      - port: "22"
        protocol: TCP
  - icmps:
    - fields:
      - type: 8
        family: IPv4
`,
      },
      {
        since: '1.16',
        text: `apiVersion: "cilium.io/v2"
kind: CiliumClusterwideNetworkPolicy
metadata:
  name: "demo-host-policy"
spec:
  description: ""
  nodeSelector:
    matchLabels:
      node-access: ssh
  ingress:
  - fromEntities:
    - cluster
  - toPorts:
    - ports:
      - port: "22"
        protocol: TCP
  - icmps:
    - fields:
      - type: EchoRequest
        family: IPv4
`,
      },
    ],
  },
  'policies/host/lock-down-ingress.yaml': {
    variants: [
      {
        since: '1.12',
        text: `apiVersion: "cilium.io/v2"
kind: CiliumClusterwideNetworkPolicy
metadata:
  name: "lock-down-ingress-worker-node"
spec:
  description: "Allow a minimum set of required ports on ingress of worker nodes"
  nodeSelector:
    matchLabels:
      type: ingress-worker
  ingress:
  - fromEntities:
    - remote-node
    - health
  - toPorts:
    - ports:
      - port: "6443"
        protocol: TCP
      - port: "22"
        protocol: TCP
      - port: "2379"
        protocol: TCP
      - port: "4240"
        protocol: TCP
      - port: "8472"
        protocol: UDP
      - port: "REMOVE_ME_AFTER_DOUBLE_CHECKING_PORTS"
        protocol: TCP
`,
      },
      {
        since: '1.16',
        text: `apiVersion: "cilium.io/v2"
kind: CiliumClusterwideNetworkPolicy
metadata:
  name: "lock-down-ingress-worker-node"
spec:
  description: "Allow a minimum set of required ports on ingress of worker nodes"
  nodeSelector:
    matchLabels:
      type: ingress-worker
  ingress:
  - fromEntities:
    - remote-node
    - health
  - toPorts:
    - ports:
      - port: "22"
        protocol: TCP
      - port: "6443"
        protocol: TCP
      - port: "2379"
        protocol: TCP
      - port: "4240"
        protocol: TCP
      - port: "8472"
        protocol: UDP
`,
      },
    ],
  },
  'policies/kubernetes/clustermesh/cross-cluster-any-namespace-policy.yaml': {
    variants: [
      {
        since: '1.18',
        text: `apiVersion: "cilium.io/v2"
kind: CiliumNetworkPolicy
metadata:
  name: "allow-cross-cluster-any-ns"
spec:
  description: "Allow x-wing in cluster1 to contact rebel-base in cluster2 (in any NS)"
  endpointSelector:
    matchLabels:
      name: x-wing
      io.cilium.k8s.policy.cluster: cluster1
  egress:
  - toEndpoints:
    - matchExpressions:
      - key: "k8s:io.kubernetes.pod.namespace"
        operator: "Exists"
      - key: "k8s:io.cilium.k8s.policy.cluster"
        operator: "In"
        values:
        - "cluster2"
      - key: "k8s:name"
        operator: "In"
        values:
        - "rebel-base"
`,
      },
    ],
  },
  'policies/kubernetes/clustermesh/cross-cluster-policy.yaml': {
    variants: [
      {
        since: '1.12',
        text: `apiVersion: "cilium.io/v2"
kind: CiliumNetworkPolicy
metadata:
  name: "allow-cross-cluster"
  description: "Allow x-wing in cluster1 to contact rebel-base in cluster2"
spec:
  endpointSelector:
    matchLabels:
      name: x-wing
      io.cilium.k8s.policy.cluster: cluster1
  egress:
  - toEndpoints:
    - matchLabels:
        name: rebel-base
        io.kubernetes.pod.namespace: default
        io.cilium.k8s.policy.cluster: cluster2
`,
      },
      {
        since: '1.18',
        text: `apiVersion: "cilium.io/v2"
kind: CiliumNetworkPolicy
metadata:
  name: "allow-cross-cluster"
spec:
  description: "Allow x-wing in cluster1 to contact rebel-base in cluster2"
  endpointSelector:
    matchLabels:
      name: x-wing
      io.cilium.k8s.policy.cluster: cluster1
  egress:
  - toEndpoints:
    - matchLabels:
        name: rebel-base
        io.kubernetes.pod.namespace: default
        io.cilium.k8s.policy.cluster: cluster2
`,
      },
    ],
  },
  'policies/kubernetes/clusterwide/clusterscope-policy.yaml': {
    variants: [
      {
        since: '1.12',
        text: `apiVersion: "cilium.io/v2"
kind: CiliumClusterwideNetworkPolicy
metadata:
  name: "clusterwide-policy-example"
spec:
  description: "Policy for selective ingress allow to a pod from only a pod with given label"
  endpointSelector:
    matchLabels:
      name: leia
  ingress:
  - fromEndpoints:
    - matchLabels:
        name: luke
`,
      },
    ],
  },
  'policies/kubernetes/clusterwide/health.yaml': {
    variants: [
      {
        since: '1.12',
        text: `apiVersion: "cilium.io/v2"
kind: CiliumClusterwideNetworkPolicy
metadata:
  name: "cilium-health-checks"
spec:
  endpointSelector:
    matchLabels:
      'reserved:health': ''
  ingress:
    - fromEntities:
      - remote-node
  egress:
    - toEntities:
      - remote-node
`,
      },
    ],
  },
  'policies/kubernetes/clusterwide/wildcard-from-endpoints.yaml': {
    variants: [
      {
        since: '1.12',
        text: `apiVersion: "cilium.io/v2"
kind: CiliumClusterwideNetworkPolicy
metadata:
  name: "wildcard-from-endpoints"
spec:
  description: "Policy for ingress allow to kube-dns from all Cilium managed endpoints in the cluster"
  endpointSelector:
    matchLabels:
      k8s:io.kubernetes.pod.namespace: kube-system
      k8s-app: kube-dns
  ingress:
  - fromEndpoints:
    - {}
    toPorts:
    - ports:
      - port: "53"
        protocol: UDP
`,
      },
    ],
  },
  'policies/kubernetes/namespace/demo-pods.yaml': {
    variants: [
      {
        since: '1.12',
        text: `apiVersion: v1
kind: Namespace
metadata:
  name: ns1
---
apiVersion: v1
kind: Namespace
metadata:
  name: ns2
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: leia-deployment
  namespace: ns1
spec:
  selector:
    matchLabels:
      name: leia
  replicas: 1
  template:
    metadata:
      labels:
        name: leia
      namespace: ns1
    spec:
      containers:
      - name: leia-container
        image: docker.io/cilium/json-mock:1.2
---
apiVersion: v1
kind: Service
metadata:
  name: leia
  namespace: ns1
spec:
  type: ClusterIP
  ports:
  - port: 80
  selector:
    name: leia
---
apiVersion: v1
kind: Pod
metadata:
  name: luke-pod
  namespace: ns2
  labels:
    name: luke
spec:
  containers:
  - name: luke-container
    image: docker.io/cilium/json-mock:1.2
---
apiVersion: v1
kind: Pod
metadata:
  name: vader-pod
  namespace: ns2
  labels:
    name: vader
spec:
  containers:
  - name: vader-container
    image: docker.io/cilium/json-mock:1.2
`,
      },
      {
        since: '1.14',
        text: `apiVersion: v1
kind: Namespace
metadata:
  name: ns1
---
apiVersion: v1
kind: Namespace
metadata:
  name: ns2
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: leia-deployment
  namespace: ns1
spec:
  selector:
    matchLabels:
      name: leia
  replicas: 1
  template:
    metadata:
      labels:
        name: leia
      namespace: ns1
    spec:
      containers:
      - name: leia-container
        image: quay.io/cilium/json-mock:v1.3.3@sha256:f26044a2b8085fcaa8146b6b8bb73556134d7ec3d5782c6a04a058c945924ca0
---
apiVersion: v1
kind: Service
metadata:
  name: leia
  namespace: ns1
spec:
  type: ClusterIP
  ports:
  - port: 80
  selector:
    name: leia
---
apiVersion: v1
kind: Pod
metadata:
  name: luke-pod
  namespace: ns2
  labels:
    name: luke
spec:
  containers:
  - name: luke-container
    image: quay.io/cilium/json-mock:v1.3.3@sha256:f26044a2b8085fcaa8146b6b8bb73556134d7ec3d5782c6a04a058c945924ca0
---
apiVersion: v1
kind: Pod
metadata:
  name: vader-pod
  namespace: ns2
  labels:
    name: vader
spec:
  containers:
  - name: vader-container
    image: quay.io/cilium/json-mock:v1.3.3@sha256:f26044a2b8085fcaa8146b6b8bb73556134d7ec3d5782c6a04a058c945924ca0
`,
      },
      {
        since: '1.18',
        text: `apiVersion: v1
kind: Namespace
metadata:
  name: ns1
---
apiVersion: v1
kind: Namespace
metadata:
  name: ns2
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: leia-deployment
  namespace: ns1
spec:
  selector:
    matchLabels:
      name: leia
  replicas: 1
  template:
    metadata:
      labels:
        name: leia
      namespace: ns1
    spec:
      containers:
      - name: leia-container
        image: quay.io/cilium/json-mock:v1.3.8@sha256:5aad04835eda9025fe4561ad31be77fd55309af8158ca8663a72f6abb78c2603
---
apiVersion: v1
kind: Service
metadata:
  name: leia
  namespace: ns1
spec:
  type: ClusterIP
  ports:
  - port: 80
  selector:
    name: leia
---
apiVersion: v1
kind: Pod
metadata:
  name: luke-pod
  namespace: ns2
  labels:
    name: luke
spec:
  containers:
  - name: luke-container
    image: quay.io/cilium/json-mock:v1.3.8@sha256:5aad04835eda9025fe4561ad31be77fd55309af8158ca8663a72f6abb78c2603
---
apiVersion: v1
kind: Pod
metadata:
  name: vader-pod
  namespace: ns2
  labels:
    name: vader
spec:
  containers:
  - name: vader-container
    image: quay.io/cilium/json-mock:v1.3.8@sha256:5aad04835eda9025fe4561ad31be77fd55309af8158ca8663a72f6abb78c2603
`,
      },
    ],
  },
  'policies/kubernetes/namespace/isolate-namespaces.yaml': {
    variants: [
      {
        since: '1.12',
        text: `apiVersion: "cilium.io/v2"
kind: CiliumNetworkPolicy
metadata:
  name: "isolate-ns1"
  namespace: ns1
spec:
  endpointSelector:
    matchLabels:
      {}
  ingress:
  - fromEndpoints:
    - matchLabels:
        {}
---
apiVersion: "cilium.io/v2"
kind: CiliumNetworkPolicy
metadata:
  name: "isolate-ns1"
  namespace: ns2
spec:
  endpointSelector:
    matchLabels:
      {}
  ingress:
  - fromEndpoints:
    - matchLabels:
        {}
`,
      },
    ],
  },
  'policies/kubernetes/namespace/kubedns-policy.yaml': {
    variants: [
      {
        since: '1.12',
        text: `apiVersion: "cilium.io/v2"
kind: CiliumNetworkPolicy
metadata:
  name: "allow-to-kubedns"
  namespace: public
spec:
  endpointSelector:
    {}
  egress:
  - toEndpoints:
    - matchLabels:
        k8s:io.kubernetes.pod.namespace: kube-system
        k8s-app: kube-dns
    toPorts:
    - ports:
      - port: '53'
        protocol: UDP
`,
      },
    ],
  },
  'policies/kubernetes/namespace/namespace-policy.yaml': {
    variants: [
      {
        since: '1.12',
        text: `apiVersion: "cilium.io/v2"
kind: CiliumNetworkPolicy
metadata:
  name: "k8s-expose-across-namespace"
  namespace: ns1
spec:
  endpointSelector:
    matchLabels:
      name: leia
  ingress:
  - fromEndpoints:
    - matchLabels:
        k8s:io.kubernetes.pod.namespace: ns2
        name: luke
`,
      },
    ],
  },
  'policies/kubernetes/serviceaccount/demo-pods.yaml': {
    variants: [
      {
        since: '1.12',
        text: `kind: ServiceAccount
apiVersion: v1
metadata:
  name: leia
---
kind: ServiceAccount
apiVersion: v1
metadata:
  name: luke
---
kind: ServiceAccount
apiVersion: v1
metadata:
  name: vader
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: leia-deployment
spec:
  selector:
    matchLabels:
      name: leia
  replicas: 1
  template:
    metadata:
      labels:
        name: leia
    spec:
      serviceAccountName: leia
      containers:
      - name: leia-container
        image: docker.io/cilium/json-mock:1.2
---
apiVersion: v1
kind: Service
metadata:
  name: leia
spec:
  type: ClusterIP
  ports:
  - port: 80
  selector:
    name: leia
---
apiVersion: v1
kind: Pod
metadata:
  name: luke-pod
spec:
  serviceAccountName: luke
  containers:
  - name: luke-container
    image: docker.io/cilium/json-mock:1.2
---
apiVersion: v1
kind: Pod
metadata:
  name: vader-pod
spec:
  serviceAccountName: vader
  containers:
  - name: vader-container
    image: docker.io/cilium/json-mock:1.2
`,
      },
      {
        since: '1.14',
        text: `kind: ServiceAccount
apiVersion: v1
metadata:
  name: leia
---
kind: ServiceAccount
apiVersion: v1
metadata:
  name: luke
---
kind: ServiceAccount
apiVersion: v1
metadata:
  name: vader
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: leia-deployment
spec:
  selector:
    matchLabels:
      name: leia
  replicas: 1
  template:
    metadata:
      labels:
        name: leia
    spec:
      serviceAccountName: leia
      containers:
      - name: leia-container
        image: quay.io/cilium/json-mock:v1.3.3@sha256:f26044a2b8085fcaa8146b6b8bb73556134d7ec3d5782c6a04a058c945924ca0
---
apiVersion: v1
kind: Service
metadata:
  name: leia
spec:
  type: ClusterIP
  ports:
  - port: 80
  selector:
    name: leia
---
apiVersion: v1
kind: Pod
metadata:
  name: luke-pod
spec:
  serviceAccountName: luke
  containers:
  - name: luke-container
    image: quay.io/cilium/json-mock:v1.3.3@sha256:f26044a2b8085fcaa8146b6b8bb73556134d7ec3d5782c6a04a058c945924ca0
---
apiVersion: v1
kind: Pod
metadata:
  name: vader-pod
spec:
  serviceAccountName: vader
  containers:
  - name: vader-container
    image: quay.io/cilium/json-mock:v1.3.3@sha256:f26044a2b8085fcaa8146b6b8bb73556134d7ec3d5782c6a04a058c945924ca0
`,
      },
      {
        since: '1.18',
        text: `kind: ServiceAccount
apiVersion: v1
metadata:
  name: leia
---
kind: ServiceAccount
apiVersion: v1
metadata:
  name: luke
---
kind: ServiceAccount
apiVersion: v1
metadata:
  name: vader
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: leia-deployment
spec:
  selector:
    matchLabels:
      name: leia
  replicas: 1
  template:
    metadata:
      labels:
        name: leia
    spec:
      serviceAccountName: leia
      containers:
      - name: leia-container
        image: quay.io/cilium/json-mock:v1.3.8@sha256:5aad04835eda9025fe4561ad31be77fd55309af8158ca8663a72f6abb78c2603
---
apiVersion: v1
kind: Service
metadata:
  name: leia
spec:
  type: ClusterIP
  ports:
  - port: 80
  selector:
    name: leia
---
apiVersion: v1
kind: Pod
metadata:
  name: luke-pod
spec:
  serviceAccountName: luke
  containers:
  - name: luke-container
    image: quay.io/cilium/json-mock:v1.3.8@sha256:5aad04835eda9025fe4561ad31be77fd55309af8158ca8663a72f6abb78c2603
---
apiVersion: v1
kind: Pod
metadata:
  name: vader-pod
spec:
  serviceAccountName: vader
  containers:
  - name: vader-container
    image: quay.io/cilium/json-mock:v1.3.8@sha256:5aad04835eda9025fe4561ad31be77fd55309af8158ca8663a72f6abb78c2603
`,
      },
    ],
  },
  'policies/kubernetes/serviceaccount/serviceaccount-policy.yaml': {
    variants: [
      {
        since: '1.12',
        text: `apiVersion: "cilium.io/v2"
kind: CiliumNetworkPolicy
metadata:
  name: "k8s-svc-account"
spec:
  endpointSelector:
    matchLabels:
      io.cilium.k8s.policy.serviceaccount: leia
  ingress:
  - fromEndpoints:
    - matchLabels:
        io.cilium.k8s.policy.serviceaccount: luke
    toPorts:
    - ports:
      - port: '80'
        protocol: TCP
      rules:
        http:
        - method: GET
          path: "/public$"
`,
      },
    ],
  },
  'policies/l3/cidr/cidr.yaml': {
    variants: [
      {
        since: '1.12',
        text: `apiVersion: "cilium.io/v2"
kind: CiliumNetworkPolicy
metadata:
  name: "cidr-rule"
spec:
  endpointSelector:
    matchLabels:
      app: myService
  egress:
  - toCIDR:
    - 20.1.1.1/32
  - toCIDRSet:
    - cidr: 10.0.0.0/8
      except:
      - 10.96.0.0/12
`,
      },
    ],
  },
  'policies/l3/egress-allow-all/egress-allow-all.yaml': {
    variants: [
      {
        since: '1.12',
        text: `apiVersion: "cilium.io/v2"
kind: CiliumNetworkPolicy
metadata:
  name: "allow-all-from-frontend"
spec:
  endpointSelector:
    matchLabels:
      role: frontend
  egress:
  - toEndpoints:
    - {}
`,
      },
    ],
  },
  'policies/l3/egress-default-deny/egress-default-deny.yaml': {
    variants: [
      {
        since: '1.12',
        text: `apiVersion: "cilium.io/v2"
kind: CiliumNetworkPolicy
metadata:
  name: "deny-all-egress"
spec:
  endpointSelector:
    matchLabels:
      role: restricted
  egress:
  - {}
`,
      },
    ],
  },
  'policies/l3/entities/apiserver.yaml': {
    variants: [
      {
        since: '1.16',
        text: `apiVersion: "cilium.io/v2"
kind: CiliumNetworkPolicy
metadata:
  name: "dev-to-kube-apiserver"
spec:
  endpointSelector:
    matchLabels:
      env: dev
  egress:
    - toEntities:
      - kube-apiserver
`,
      },
    ],
  },
  'policies/l3/entities/customnodes.yaml': {
    variants: [
      {
        since: '1.16',
        text: `apiVersion: "cilium.io/v2"
kind: CiliumNetworkPolicy
metadata:
  name: "to-prod-from-control-plane-nodes"
spec:
  endpointSelector:
    matchLabels:
      env: prod
  ingress:
    - fromNodes:
        - matchLabels:
            node-role.kubernetes.io/control-plane: ""
`,
      },
    ],
  },
  'policies/l3/entities/from_world_deny.yaml': {
    variants: [
      {
        since: '1.12',
        text: `apiVersion: "cilium.io/v2"
kind: CiliumClusterwideNetworkPolicy
metadata:
  name: "external-lockdown"
spec:
  endpointSelector: {}
  ingressDeny:
  - fromEntities:
    - "world"
  ingress:
  - fromEntities:
    - "all"
`,
      },
    ],
  },
  'policies/l3/entities/host.yaml': {
    variants: [
      {
        since: '1.12',
        text: `apiVersion: "cilium.io/v2"
kind: CiliumNetworkPolicy
metadata:
  name: "dev-to-host"
spec:
  endpointSelector:
    matchLabels:
      env: dev
  egress:
    - toEntities:
      - host
`,
      },
    ],
  },
  'policies/l3/entities/nodes.yaml': {
    variants: [
      {
        since: '1.12',
        text: `apiVersion: "cilium.io/v2"
kind: CiliumNetworkPolicy
metadata:
  name: "to-dev-from-nodes-in-cluster"
spec:
  endpointSelector:
    matchLabels:
      env: dev
  ingress:
    - fromEntities:
      - host
      - remote-node
`,
      },
    ],
  },
  'policies/l3/entities/world.yaml': {
    variants: [
      {
        since: '1.12',
        text: `apiVersion: "cilium.io/v2"
kind: CiliumNetworkPolicy
metadata:
  name: "from-world-to-role-public"
spec:
  endpointSelector:
    matchLabels:
      role: public
  ingress:
    - fromEntities:
      - world
`,
      },
    ],
  },
  'policies/l3/fqdn/fqdn.yaml': {
    variants: [
      {
        since: '1.12',
        text: `apiVersion: "cilium.io/v2"
kind: CiliumNetworkPolicy
metadata:
  name: "to-fqdn"
spec:
  endpointSelector:
    matchLabels:
      app: test-app
  egress:
    - toEndpoints:
      - matchLabels:
          "k8s:io.kubernetes.pod.namespace": kube-system
          "k8s:k8s-app": kube-dns
      toPorts:
        - ports:
           - port: "53"
             protocol: ANY
          rules:
            dns:
              - matchPattern: "*"
    - toFQDNs:
        - matchName: "my-remote-service.com"
`,
      },
    ],
  },
  'policies/l3/ingress-allow-all/ingress-allow-all.yaml': {
    variants: [
      {
        since: '1.12',
        text: `apiVersion: "cilium.io/v2"
kind: CiliumNetworkPolicy
metadata:
  name: "allow-all-to-victim"
spec:
  endpointSelector:
    matchLabels:
      role: victim
  ingress:
  - fromEndpoints:
    - {}
`,
      },
    ],
  },
  'policies/l3/match-expressions/and-statement.yaml': {
    variants: [
      {
        since: '1.16',
        text: `apiVersion: "cilium.io/v2"
kind: CiliumNetworkPolicy
metadata:
  name: "and-statement-policy"
spec:
  endpointSelector: {}
  ingress:
  - fromEndpoints:
    - matchExpressions:
      - key: "k8s:io.kubernetes.pod.namespace"
        operator: "in"
        values:
        - "production"
      - key: "k8s:cilium.example.com/policy"
        operator: "in"
        values:
        - "strict"
`,
      },
      {
        since: '1.18',
        text: `apiVersion: "cilium.io/v2"
kind: CiliumNetworkPolicy
metadata:
  name: "and-statement-policy"
spec:
  endpointSelector: {}
  ingress:
  - fromEndpoints:
    - matchExpressions:
      - key: "k8s:io.kubernetes.pod.namespace"
        operator: "In"
        values:
        - "production"
      - key: "k8s:cilium.example.com/policy"
        operator: "In"
        values:
        - "strict"
`,
      },
    ],
  },
  'policies/l3/match-expressions/or-statement.yaml': {
    variants: [
      {
        since: '1.16',
        text: `apiVersion: "cilium.io/v2"
kind: CiliumNetworkPolicy
metadata:
  name: "or-statement-policy"
spec:
  endpointSelector: {}
  ingress:
  - fromEndpoints:
    - matchExpressions:
      - key: "k8s:io.kubernetes.pod.namespace"
        operator: "in"
        values:
        - "production"
    - matchExpressions:
      - key: "k8s:cilium.example.com/policy"
        operator: "in"
        values:
        - "strict"
`,
      },
      {
        since: '1.18',
        text: `apiVersion: "cilium.io/v2"
kind: CiliumNetworkPolicy
metadata:
  name: "or-statement-policy"
spec:
  endpointSelector: {}
  ingress:
  - fromEndpoints:
    - matchExpressions:
      - key: "k8s:io.kubernetes.pod.namespace"
        operator: "In"
        values:
        - "production"
    - matchExpressions:
      - key: "k8s:cilium.example.com/policy"
        operator: "In"
        values:
        - "strict"
`,
      },
    ],
  },
  'policies/l3/requires/endpoints.yaml': {
    variants: [
      {
        since: '1.12',
        text: `apiVersion: "cilium.io/v2"
kind: CiliumNetworkPolicy
metadata:
  name: "l3-rule"
specs:
  - description: "For endpoints with env=prod, allow if source also has label role=frontend"
    endpointSelector:
      matchLabels:
        env: prod
    ingress:
    - fromEndpoints:
      - matchLabels:
          role: frontend
`,
      },
    ],
  },
  'policies/l3/requires/requires.yaml': {
    variants: [
      {
        since: '1.12',
        text: `apiVersion: "cilium.io/v2"
kind: CiliumNetworkPolicy
metadata:
  name: "requires-rule"
specs:
  - description: "For endpoints with env=prod, only allow if source also has label env=prod"
    endpointSelector:
      matchLabels:
        env: prod
    ingress:
    - fromRequires:
      - matchLabels:
          env: prod
`,
      },
    ],
  },
  'policies/l3/service/service.yaml': {
    variants: [
      {
        since: '1.12',
        text: `apiVersion: "cilium.io/v2"
kind: CiliumNetworkPolicy
metadata:
  name: "service-rule"
spec:
  endpointSelector:
    matchLabels:
      id: app2
  egress:
  - toServices:
    - k8sService:
        serviceName: myservice
        namespace: default
`,
      },
      {
        since: '1.17',
        text: `apiVersion: "cilium.io/v2"
kind: CiliumNetworkPolicy
metadata:
  name: "service-rule"
spec:
  endpointSelector:
    matchLabels:
      id: app2
  egress:
  - toServices:
    # Services may be referenced by namespace + name
    - k8sService:
        serviceName: myservice
        namespace: default
    # Services may be referenced by namespace + label selector
    - k8sServiceSelector:
        selector:
          matchLabels:
            env: staging
        namespace: another-namespace
`,
      },
    ],
  },
  'policies/l3/simple/l3.yaml': {
    variants: [
      {
        since: '1.12',
        text: `apiVersion: "cilium.io/v2"
kind: CiliumNetworkPolicy
metadata:
  name: "l3-rule"
spec:
  endpointSelector:
    matchLabels:
      role: backend
  ingress:
  - fromEndpoints:
    - matchLabels:
        role: frontend
`,
      },
    ],
  },
  'policies/l3/simple/l3_egress.yaml': {
    variants: [
      {
        since: '1.12',
        text: `apiVersion: "cilium.io/v2"
kind: CiliumNetworkPolicy
metadata:
  name: "l3-egress-rule"
spec:
  endpointSelector:
    matchLabels:
      role: frontend
  egress:
  - toEndpoints:
    - matchLabels:
        role: backend
`,
      },
    ],
  },
  'policies/l4/cidr_l4_combined.yaml': {
    variants: [
      {
        since: '1.12',
        text: `apiVersion: "cilium.io/v2"
kind: CiliumNetworkPolicy
metadata:
  name: "cidr-l4-rule"
spec:
  endpointSelector:
    matchLabels:
      role: crawler
  egress:
  - toCIDR:
    - 192.0.2.0/24
    toPorts:
    - ports:
      - port: "80"
        protocol: TCP
`,
      },
    ],
  },
  'policies/l4/from_init.yaml': {
    variants: [
      {
        since: '1.12',
        text: `apiVersion: "cilium.io/v2"
kind: CiliumNetworkPolicy
metadata:
  name: "from-init"
spec:
  endpointSelector:
    matchLabels:
      app: myService
  ingress:
    - fromEntities:
      - init
    - toPorts:
      - ports:
        - port: "53"
          protocol: UDP
`,
      },
    ],
  },
  'policies/l4/icmp.yaml': {
    variants: [
      {
        since: '1.12',
        text: `apiVersion: "cilium.io/v2"
kind: CiliumNetworkPolicy
metadata:
  name: "icmp-rule"
spec:
  endpointSelector:
    matchLabels:
      app: myService
  egress:
  - icmps:
    - fields:
      - type: 8
        family: IPv4
      - type: 128
        family: IPv6
`,
      },
      {
        since: '1.16',
        text: `apiVersion: "cilium.io/v2"
kind: CiliumNetworkPolicy
metadata:
  name: "icmp-rule"
spec:
  endpointSelector:
    matchLabels:
      app: myService
  egress:
  - icmps:
    - fields:
      - type: 8
        family: IPv4
      - type: EchoRequest
        family: IPv6
`,
      },
    ],
  },
  'policies/l4/init.yaml': {
    variants: [
      {
        since: '1.12',
        text: `apiVersion: "cilium.io/v2"
kind: CiliumNetworkPolicy
metadata:
  name: init
specs:
  - endpointSelector:
      matchLabels:
        "reserved:init": ""
    ingress:
    - fromEntities:
      - host
    egress:
    - toEntities:
      - all
      toPorts:
      - ports:
        - port: "53"
          protocol: UDP
`,
      },
      {
        since: '1.14',
        text: `apiVersion: "cilium.io/v2"
kind: CiliumClusterwideNetworkPolicy
metadata:
  name: init
specs:
  - endpointSelector:
      matchLabels:
        "reserved:init": ""
    ingress:
    - fromEntities:
      - host
    egress:
    - toEntities:
      - all
      toPorts:
      - ports:
        - port: "53"
          protocol: UDP
`,
      },
    ],
  },
  'policies/l4/l3_l4_combined.yaml': {
    variants: [
      {
        since: '1.12',
        text: `apiVersion: "cilium.io/v2"
kind: CiliumNetworkPolicy
metadata:
  name: "l4-rule"
spec:
  endpointSelector:
    matchLabels:
      role: backend
  ingress:
  - fromEndpoints:
    - matchLabels:
        role: frontend
    toPorts:
    - ports:
      - port: "80"
        protocol: TCP
`,
      },
    ],
  },
  'policies/l4/l4.yaml': {
    variants: [
      {
        since: '1.12',
        text: `apiVersion: "cilium.io/v2"
kind: CiliumNetworkPolicy
metadata:
  name: "l4-rule"
spec:
  endpointSelector:
    matchLabels:
      app: myService
  egress:
    - toPorts:
      - ports:
        - port: "80"
          protocol: TCP
`,
      },
    ],
  },
  'policies/l4/l4_port_range.yaml': {
    variants: [
      {
        since: '1.16',
        text: `apiVersion: "cilium.io/v2"
kind: CiliumNetworkPolicy
metadata:
  name: "l4-port-range-rule"
spec:
  endpointSelector:
    matchLabels:
      app: myService
  egress:
    - toPorts:
      - ports:
        - port: "80"
          endPort: 444
          protocol: TCP
`,
      },
    ],
  },
  'policies/l4/l4_sni.yaml': {
    variants: [
      {
        since: '1.17',
        text: `apiVersion: "cilium.io/v2"
kind: CiliumNetworkPolicy
metadata:
  name: "l4-sni-rule"
spec:
  endpointSelector:
    matchLabels:
      app: myService
  egress:
  - toPorts:
    - ports:
      - port: "443"
        protocol: TCP
      serverNames:
      - one.one.one.one
`,
      },
    ],
  },
  'policies/l7/dns/dns-visibility.yaml': {
    variants: [
      {
        since: '1.12',
        text: `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: "tofqdn-dns-visibility"
spec:
  endpointSelector:
    matchLabels:
      any:org: alliance
  egress:
  - toEndpoints:
    - matchLabels:
       "k8s:io.kubernetes.pod.namespace": kube-system
       "k8s:k8s-app": kube-dns
    toPorts:
      - ports:
         - port: "53"
           protocol: ANY
        rules:
          dns:
            - matchPattern: "*"
  - toFQDNs:
      - matchName: "cilium.io"
      - matchName: "sub.cilium.io"
      - matchPattern: "*.sub.cilium.io"
`,
      },
    ],
  },
  'policies/l7/dns/dns.yaml': {
    variants: [
      {
        since: '1.12',
        text: `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: "tofqdn-dns-visibility"
spec:
  endpointSelector:
    matchLabels:
      any:org: alliance
  egress:
  - toEndpoints:
    - matchLabels:
       "k8s:io.kubernetes.pod.namespace": kube-system
       "k8s:k8s-app": kube-dns
    toPorts:
      - ports:
         - port: "53"
           protocol: ANY
        rules:
          dns:
            - matchName: "cilium.io"
            - matchPattern: "*.cilium.io"
            - matchPattern: "*.api.cilium.io"

  - toFQDNs:
      - matchName: "cilium.io"
      - matchName: "sub.cilium.io"
      - matchName: "service1.api.cilium.io"
      - matchPattern: "special*service.api.cilium.io"
    toPorts:
      - ports:
         - port: "80"
           protocol: TCP
`,
      },
    ],
  },
  'policies/l7/http/http.yaml': {
    variants: [
      {
        since: '1.12',
        text: `apiVersion: "cilium.io/v2"
kind: CiliumNetworkPolicy
metadata:
  name: "l7-rule"
spec:
  endpointSelector:
    matchLabels:
      app: myService
  ingress:
  - toPorts:
    - ports:
      - port: '80'
        protocol: TCP
      rules:
        http:
        - method: GET
          path: "/path1$"
        - method: PUT
          path: "/path2$"
          headers:
          - 'X-My-Header: true'
`,
      },
    ],
  },
  'policies/l7/http/simple/l7.yaml': {
    variants: [
      {
        since: '1.12',
        text: `apiVersion: "cilium.io/v2"
kind: CiliumNetworkPolicy
metadata:
  name: "rule1"
spec:
  description: "Allow HTTP GET /public from env=prod to app=service"
  endpointSelector:
    matchLabels:
      app: service
  ingress:
  - fromEndpoints:
    - matchLabels:
        env: prod
    toPorts:
    - ports:
      - port: "80"
        protocol: TCP
      rules:
        http:
        - method: "GET"
          path: "/public"
`,
      },
    ],
  },
  'policies/l7/kafka/kafka-role.yaml': {
    variants: [
      {
        since: '1.12',
        text: `apiVersion: "cilium.io/v2"
kind: CiliumNetworkPolicy
metadata:
  name: "rule1"
spec:
  description: "enable empire-hq to produce to empire-announce and deathstar-plans"
  endpointSelector:
    matchLabels:
      app: kafka
  ingress:
  - fromEndpoints:
    - matchLabels:
        app: empire-hq
    toPorts:
    - ports:
      - port: "9092"
        protocol: TCP
      rules:
        kafka:
        - role: "produce"
          topic: "deathstar-plans"
        - role: "produce"
          topic: "empire-announce"
`,
      },
    ],
    removedOnMain: true,
  },
  'policies/l7/kafka/kafka.yaml': {
    variants: [
      {
        since: '1.12',
        text: `apiVersion: "cilium.io/v2"
kind: CiliumNetworkPolicy
metadata:
  name: "rule1"
spec:
  description: "enable empire-hq to produce to empire-announce and deathstar-plans"
  endpointSelector:
    matchLabels:
      app: kafka
  ingress:
  - fromEndpoints:
    - matchLabels:
        app: empire-hq
    toPorts:
    - ports:
      - port: "9092"
        protocol: TCP
      rules:
        kafka:
        - apiKey: "apiversions"
        - apiKey: "metadata"
        - apiKey: "produce"
          topic: "deathstar-plans"
        - apiKey: "produce"
          topic: "empire-announce"
`,
      },
    ],
    removedOnMain: true,
  },
};
