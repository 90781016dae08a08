/**
 * Cloud City's door manager from Cilium's gRPC walkthrough (image cilium/cc-grpc-demo, the
 * Python server `cc_door_server.py`): service `cloudcity.DoorManager` on port 50051. Its answers
 * are fixed: a door is named after its id, every door stands at the same place (lat 10.2222,
 * long 68.8788, protobuf floats, so 32-bit), every door is closed, and maintenance requests and
 * new access codes always succeed. Any other method or service gets grpcio's UNIMPLEMENTED
 * (`Method not found!`).
 *
 * Replies are the reply messages as protobuf JSON (`{"name": …}`), which each client prints in
 * its own way (terminal/cloudcity-door-client.ts, grpcurl).
 */
import type { Application, GrpcReply } from '../application-types';

/** The door manager's service name. */
export const doorManagerService = 'cloudcity.DoorManager';

/** A protobuf `float`: the nearest 32-bit value, as the client then reads it back as a double. */
const float32 = (value: number): number => Math.fround(value);

const unimplemented: GrpcReply = { status: 12, message: 'Method not found!' };

function reply(message: Record<string, unknown>): GrpcReply {
  return { status: 0, message: '', body: JSON.stringify(message) };
}

/** The door manager server. */
export function doorManager(ports: number[]): Application {
  return {
    name: 'cc-door-mgr',
    ports: ports.length > 0 ? ports : [50051],
    exitsOnSigterm: true,
    // gRPC runs over HTTP/2 only; an HTTP/1.1 request is no gRPC call at all.
    respond: () => ({
      status: 415,
      headers: { 'content-type': 'text/plain' },
      body: 'gRPC requires HTTP/2\n',
    }),
    grpc(call) {
      if (call.service !== doorManagerService) return unimplemented;
      const doorId = Number(call.argument ?? '0');
      switch (call.method) {
        case 'GetName':
          return reply({ name: `Spaceport Door #${doorId}` });
        case 'GetLocation':
          return reply({ lat: float32(10.2222), long: float32(68.8788) });
        case 'GetStatus':
          return reply({ state: 'CLOSED' });
        case 'RequestMaintenance':
        case 'SetAccessCode':
          return reply({ success: true });
        default:
          return unimplemented;
      }
    },
  };
}
