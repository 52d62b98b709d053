// Public face of grpcfront: the kaspad-compatible gRPC mining port and the HTTP/2 stream server under it.
// A miner front-end beside net/: its work takes the Stratum share path (jobs, share check, submitter, events).

export { type GrpcFrontOptions, GrpcMiningFront } from "./front.ts";
export type { GrpcFrontDeps } from "./types.ts";
export { REQUESTS_PER_SECOND } from "./miner.ts";
export {
  GRPC_STATUS,
  GrpcStreamServer,
  type GrpcStreamServerOptions,
  type ServerStream,
  type StreamHandler,
} from "./serve.ts";
