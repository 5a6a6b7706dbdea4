// The delivery port: how a completed file reaches a target endpoint. One Deliverer per
// endpoint type; each runtime registers the ones it can serve (a local folder only
// locally, S3 only on AWS).
import type { Readable } from 'node:stream';
import type { Delivery, Endpoint, EndpointType, FlowEndpoint, Transfer } from '../model.js';

export interface DeliveryRequest {
  transfer: Transfer;
  delivery: Delivery;
  target: Endpoint;
  targetFlowEndpoint: FlowEndpoint;
  /** The file's path below its source flow endpoint's folder ("/2026/a.csv"). */
  relativePath: string;
  /** The file's bytes; each call opens a new stream. */
  open(): Promise<Readable>;
  signal: AbortSignal;
}

export interface DeliveryResult {
  /** Where it went: a storage key, a path, a URL. */
  location: string;
}

export interface Deliverer {
  deliver(request: DeliveryRequest): Promise<DeliveryResult>;
}

export type Deliverers = Partial<Record<EndpointType, Deliverer>>;
