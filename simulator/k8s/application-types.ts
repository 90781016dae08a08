/**
 * What an application in a pod is asked and answers (HTTP, gRPC, Kafka), and the shape of an
 * application's behaviour: plain types, shared by applications.ts, the demo apps and the datapath.
 */
import type { Pod } from './objects';

/** An HTTP request as it reaches an application. */
export interface HttpRequest {
  method: string;
  path: string;
  host: string;
  port: number;
  headers: Record<string, string>;
  /** The request body (curl `-d`), when there is one. */
  body?: string;
}

/** An application's answer. */
export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /**
   * Set when handling the request makes the process end a while after it answered (the deathstar's
   * exhaust port): the kubelet then sees the container exit (k8s/container-lifecycle.ts).
   */
  processExit?: { afterMs: number; exitCode: number; output: string };
}

/** A gRPC call as it reaches a server: `/package.Service/Method` over HTTP/2. */
export interface GrpcCall {
  service: string;
  method: string;
  /** The request message, as the demo clients pass it (e.g. a door id). */
  argument?: string;
}

/** A gRPC server's answer: status 0 with a message, or an error status. */
export interface GrpcReply {
  status: number;
  message: string;
  body?: string;
}

/** A Kafka request as a broker sees it. */
export interface KafkaCall {
  apiKey: string;
  apiVersion: number;
  clientID?: string;
  topics: string[];
  /** Messages to produce. */
  messages?: string[];
  /** Where a fetch starts reading the topic's log. */
  offset?: number;
}

/** A broker's answer: an error code and, for a fetch, the messages of the topic from the offset asked. */
export interface KafkaReply {
  errorCode: number;
  messages?: string[];
  /** The end of the topic's log after the request (produce, fetch, list-offsets). */
  highWatermark?: number;
  /** Where a produce's first message was written. */
  baseOffset?: number;
}

/** A running application's behaviour. */
export interface Application {
  /** Short name for explanations: `helloworld v1`, `sleep`, `http-echo`. */
  name: string;
  /** TCP ports the process listens on. */
  ports: number[];
  /** UDP ports the process listens on (a DNS server's 53). */
  udpPorts?: number[];
  /** Whether PID 1 exits on SIGTERM; `sleep` does not, so it waits out the grace period. */
  exitsOnSigterm: boolean;
  respond(request: HttpRequest, pod: Pod): HttpResponse | undefined;
  /** Set for gRPC servers: answers one call. */
  grpc?(call: GrpcCall, pod: Pod): GrpcReply;
  /** Set for Kafka brokers: answers one request. */
  kafka?(call: KafkaCall, pod: Pod): KafkaReply;
  /** True for DNS servers; the cluster model (k8s/dns-world.ts) supplies the answers. */
  dns?: boolean;
}
