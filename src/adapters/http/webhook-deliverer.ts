// Delivery to a `webhook` endpoint: a JSON POST describing the completed file, signed
// with HMAC-SHA256 over "<timestamp>.<body>" (the Stripe/GitHub scheme receivers know),
// with a timeout. 2xx is success; anything else is retried by the pipeline.
import { createHmac } from 'node:crypto';
import { CoreError } from '../../core/errors.js';
import type { Deliverer, DeliveryRequest, DeliveryResult } from '../../core/ports/delivery.js';

export const SIGNATURE_HEADER = 'x-thru-signature';
export const TIMESTAMP_HEADER = 'x-thru-timestamp';
export const DELIVERY_HEADER = 'x-thru-delivery-id';

export interface WebhookOptions {
  timeoutMs: number;
}

export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export class WebhookDeliverer implements Deliverer {
  constructor(private readonly options: WebhookOptions = { timeoutMs: 10_000 }) {}

  async deliver(r: DeliveryRequest): Promise<DeliveryResult> {
    if (r.target.type !== 'webhook') throw new CoreError('invalid_argument', 'not a webhook endpoint');
    const { url, secret } = r.target.config;
    const t = r.transfer;
    const body = JSON.stringify({
      type: 'transfer.completed',
      transferId: t.id,
      deliveryId: r.delivery.id,
      orgId: t.orgId,
      flowId: t.flowId,
      endpointId: t.endpointId,
      path: t.path,
      size: t.size,
      sha256: t.sha256,
      user: t.user,
      receivedAt: t.receivedAt,
    });
    const timestamp = String(Math.floor(Date.now() / 1000));
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'thru-sftp-webhook',
          [TIMESTAMP_HEADER]: timestamp,
          [SIGNATURE_HEADER]: signWebhook(secret, timestamp, body),
          // Receivers dedupe on this: a delivery retried after a crash carries the same id.
          [DELIVERY_HEADER]: r.delivery.id,
        },
        body,
        signal: AbortSignal.any([r.signal, AbortSignal.timeout(this.options.timeoutMs)]),
        redirect: 'error',
      });
    } catch (err) {
      const timedOut = (err as Error).name === 'TimeoutError';
      throw new CoreError('unavailable', timedOut ? `the webhook did not answer within ${this.options.timeoutMs} ms` : 'the webhook could not be reached', { cause: err });
    }
    await response.body?.cancel();
    if (response.status < 200 || response.status > 299) throw new CoreError('unavailable', `the webhook answered HTTP ${response.status}`);
    return { location: url };
  }
}
