// Deterministic ids: the same completion (or the same awaiting file) always gets the
// same transfer id, so a duplicated event finds the record its twin created instead of
// delivering twice.
import { createHash } from 'node:crypto';

const digest = (...parts: string[]) => createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 16);

/** A completion of `path`, signalled by the object version `version` (of the file or its trigger). */
export const completionId = (flowId: string, flowEndpointId: string, path: string, version: string) => `tr-${digest('done', flowId, flowEndpointId, path, version)}`;

/** The one "awaiting a trigger" record of a file path. */
export const awaitingId = (flowId: string, flowEndpointId: string, path: string) => `tr-${digest('awaiting', flowId, flowEndpointId, path)}`;

export const deliveryId = (transferId: string, targetFlowEndpointId: string) => `dl-${digest(transferId, targetFlowEndpointId)}`;
