/**
 * What the model knows of a container image beyond the program it runs (k8s/applications.ts):
 * which shells `kubectl exec` can start in it, its working directory, the demo clients it ships
 * (the Cilium docs' Kafka wrapper scripts, the Elasticsearch and Cloud City Python clients) and the
 * tools the docs run in it (`update-ca-certificates` in Ubuntu images).
 *
 * Where the docs only ever name a file relative to the working directory (`./kafka-produce.sh`,
 * `python search.py`), the model puts it in `/`, the working directory of an image without a
 * WORKDIR; the scripts' texts are the model's own wrappers, not the images' files.
 */

/** A shell program an image may have. */
export type ShellName = 'sh' | 'bash';

/** The Cilium docs' demo clients a Python interpreter in an image can run. */
export type PythonClient =
  'cloudcity-door-client' | 'es-upload-logs' | 'es-upload-diagnostics' | 'es-search' | 'es-update';

export interface ImageContents {
  /** Shells on the image's PATH (none in scratch and distroless images). */
  readonly shells: readonly ShellName[];
  /** The directory `kubectl exec` starts in. */
  readonly workdir: string;
  /** Executable shell scripts the image ships, by absolute path. */
  readonly scripts: Readonly<Record<string, string>>;
  /** Python scripts the image ships, by absolute path, and which client each one is. */
  readonly pythonScripts: Readonly<Record<string, PythonClient>>;
  /** The name the image's Python interpreter answers to (`python3`, or also `python`). */
  readonly pythonNames: readonly string[];
  /** Whether the image has Debian's `update-ca-certificates` (the ca-certificates package). */
  readonly updateCaCertificates: boolean;
}

const none: ImageContents = {
  shells: [],
  workdir: '/',
  scripts: {},
  pythonScripts: {},
  pythonNames: [],
  updateCaCertificates: false,
};

const posix: ImageContents = { ...none, shells: ['sh'] };
const debian: ImageContents = { ...none, shells: ['sh', 'bash'], updateCaCertificates: true };

/**
 * cilium/kafkaclient: Kafka's console tools and two wrappers that preset the demo's broker
 * (`kafka-service:9092`). The consumer wrapper reads each topic from its beginning, which is what
 * the docs show when an outpost started after a message was produced still prints it.
 */
const kafkaClient: ImageContents = {
  ...debian,
  scripts: {
    '/kafka-produce.sh':
      '#!/bin/bash\n# The demo broker, preset.\nkafka-console-producer.sh --broker-list kafka-service:9092 "$@"\n',
    '/kafka-consume.sh':
      '#!/bin/bash\n# The demo broker, preset; every message of the topic from its first offset.\nkafka-console-consumer.sh --bootstrap-server kafka-service:9092 --from-beginning "$@"\n',
  },
};

/** cilium/esclient: the four clients of the Elasticsearch walkthrough (elasticsearch-py, Python 3). */
const esClient: ImageContents = {
  ...debian,
  pythonNames: ['python', 'python3'],
  pythonScripts: {
    '/upload_logs.py': 'es-upload-logs',
    '/upload_diagnostics.py': 'es-upload-diagnostics',
    '/search.py': 'es-search',
    '/update.py': 'es-update',
  },
};

/** cilium/cc-grpc-demo: the door manager server and the public terminal's client. */
const cloudCity: ImageContents = {
  ...debian,
  pythonNames: ['python3'],
  pythonScripts: { '/cloudcity/cc_door_client.py': 'cloudcity-door-client' },
};

/** What an image contains, as far as the model knows. */
export function imageContents(image: string): ImageContents {
  if (/(^|\/)(coredns|pause)(:|@|$)|distroless/.test(image)) return none;
  if (/cilium\/kafkaclient/.test(image)) return kafkaClient;
  if (/cilium\/esclient/.test(image)) return esClient;
  if (/cilium\/cc-grpc-demo/.test(image)) return cloudCity;
  // The agent image starts in the cilium user's home (images/cilium/Dockerfile: WORKDIR /home/cilium).
  if (/cilium\/cilium[:@]/.test(image)) return { ...debian, workdir: '/home/cilium' };
  // Kafka's broker image and the Debian-based demo clients have bash; cilium/json-mock
  // (the Star Wars ships and the docs' mediabot, "an Ubuntu container") is built on node:18-slim,
  // Debian with curl and the ca-certificates package.
  if (/wurstmeister\/kafka|json-mock|netperf|ubuntu|debian|netshoot/.test(image)) return debian;
  return posix;
}
