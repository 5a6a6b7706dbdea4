// The IdentityProvider of the AWS runtime: the Fargate front end asks the identity
// Lambda (Invoke API, short timeout). Nothing is cached, so a disabled user or a
// deleted key is refused at the next login. Whatever goes wrong (timeout, a function
// error, an answer that does not parse) refuses the login and is logged; the front end
// keeps serving.
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type { IdentityProvider, LoginAttempt, LoginDecision, LoginRefusal } from '../../core/identity.js';
import type { Log } from '../../core/ports/logger.js';
import { IdentityResponse, RefusalReason, type IdentityRequest } from '../../identity/contract.js';

/** One invocation: the request's JSON in, the function's JSON (or its error) out. */
export type Invoke = (payload: string, signal: AbortSignal) => Promise<{ payload: string; functionError?: string }>;

/** The Lambda Invoke API. */
export function invokeLambda(client: LambdaClient, functionName: string): Invoke {
  return async (payload, signal) => {
    const out = await client.send(new InvokeCommand({ FunctionName: functionName, Payload: Buffer.from(payload) }), { abortSignal: signal });
    return { payload: Buffer.from(out.Payload ?? new Uint8Array()).toString('utf8'), functionError: out.FunctionError };
  };
}

export interface LambdaIdentityOptions {
  invoke: Invoke;
  timeoutMs: number;
  serverId: string;
  log: Log;
}

export class LambdaIdentity implements IdentityProvider {
  constructor(private readonly options: LambdaIdentityOptions) {}

  async authenticate(attempt: LoginAttempt): Promise<LoginDecision> {
    const request: IdentityRequest = {
      username: attempt.username,
      password: attempt.password ?? '',
      protocol: 'SFTP',
      serverId: this.options.serverId,
      sourceIp: attempt.sourceIp,
      thruMethod: attempt.password === undefined ? 'publickey' : 'password',
    };
    let payload: unknown;
    try {
      const out = await this.options.invoke(JSON.stringify(request), AbortSignal.timeout(this.options.timeoutMs));
      if (out.functionError) {
        this.options.log.error({ functionError: out.functionError }, 'identity function failed; login refused');
        return { ok: false, reason: 'misconfigured' };
      }
      payload = JSON.parse(out.payload || '{}');
    } catch (err) {
      this.options.log.error({ err: (err as Error).message }, 'identity function unreachable; login refused');
      return { ok: false, reason: 'misconfigured' };
    }
    if (typeof payload === 'object' && payload !== null && Object.keys(payload).length === 0) {
      // A function that does not say why (an older one, or a custom one): still a refusal.
      return { ok: false, reason: 'refused' };
    }
    const refusal = RefusalReason.safeParse(payload);
    if (refusal.success) return { ok: false, reason: refusal.data.ThruRefusal as LoginRefusal };
    const parsed = IdentityResponse.safeParse(payload);
    if (!parsed.success) {
      this.options.log.error({ issues: parsed.error.issues.map((i) => i.path.join('.')) }, 'malformed identity response; login refused');
      return { ok: false, reason: 'misconfigured' };
    }
    const { publicKeys, ...principal } = parsed.data.ThruPrincipal;
    return {
      ok: true,
      principal,
      publicKeys: publicKeys.map((k) => ({ ...k, comment: '', addedAt: '' })),
    };
  }
}
