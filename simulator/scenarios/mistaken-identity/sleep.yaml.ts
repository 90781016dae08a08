/**
 * yamls/sleep.yaml of the experiment: curl clients in two versions with their own ServiceAccounts,
 * 15 replicas of v1 and one of v2, kept off the helloworld nodes by pod anti-affinity. The grace
 * period is 0 because `sleep` ignores SIGTERM; their addresses are therefore freed almost at once.
 */
export const sleepYaml = `apiVersion: v1
kind: ServiceAccount
metadata:
  name: sleep-v1
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: sleep-v2
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: sleep-v1
spec:
  replicas: 15
  selector:
    matchLabels:
      app: sleep
      version: v1
  template:
    metadata:
      labels:
        app: sleep
        version: v1
    spec:
      serviceAccountName: sleep-v1
      terminationGracePeriodSeconds: 0
      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
          - labelSelector:
              matchExpressions:
              - key: app
                operator: In
                values:
                - helloworld
            topologyKey: kubernetes.io/hostname
      containers:
      - name: sleep
        image: docker.io/curlimages/curl
        command: ["/bin/sleep", "3650d"]
        imagePullPolicy: IfNotPresent
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: sleep-v2
spec:
  replicas: 1
  selector:
    matchLabels:
      app: sleep
      version: v2
  template:
    metadata:
      labels:
        app: sleep
        version: v2
    spec:
      serviceAccountName: sleep-v2
      terminationGracePeriodSeconds: 0
      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
          - labelSelector:
              matchExpressions:
              - key: app
                operator: In
                values:
                - helloworld
            topologyKey: kubernetes.io/hostname
      containers:
      - name: sleep
        image: docker.io/curlimages/curl
        command: ["/bin/sleep", "3650d"]
        imagePullPolicy: IfNotPresent
`;
