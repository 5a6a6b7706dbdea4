// The audit trail of admin changes: who (the authenticated actor), what (action,
// resource, the names of the fields changed), when. Values are never logged, so no
// password, key or webhook secret can reach the log through it.
import type { Context } from 'hono';
import type { Logger } from 'pino';
import type { Clock } from '../core/ports/clock.js';
import type { AdminEnv } from './env.js';

export interface AuditEvent {
  /** "user.create", "flow.delete"... */
  action: string;
  /** Id of the resource changed. */
  id: string;
  orgId?: string;
  /** Names of the fields given in the request. */
  fields?: string[];
  cascade?: boolean;
  /** Other ids the change touched (a key fingerprint, a parent). */
  detail?: Record<string, string>;
}

export type Audit = (c: Context<AdminEnv>, event: AuditEvent) => void;

export function auditLog(logger: Logger, clock: Clock): Audit {
  return (c, event) => {
    logger.info({ audit: { actor: c.get('actor') ?? 'unknown', at: clock.now().toISOString(), ...event } }, `admin ${event.action}`);
  };
}

/** The top-level field names of a JSON body, for the audit record. */
export const fieldsOf = (body: object): string[] => Object.keys(body).sort();
