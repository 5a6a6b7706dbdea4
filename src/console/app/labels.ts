// How the console names the API's values.
import type { DeliveryStatus, EndpointType, Permission, TransferState } from './types.js';

export const ENDPOINT_TYPE_LABELS: Record<EndpointType, string> = {
  'thru-sftp-server': 'Thru SFTP Server',
  s3: 'S3',
  webhook: 'Webhook',
  directory: 'Directory',
};

export const TRANSFER_STATE_LABELS: Record<TransferState, string> = {
  'awaiting-trigger': 'awaiting trigger',
  'waiting-for-data': 'waiting for data',
  active: 'active',
  failed: 'failed',
};

export const DELIVERY_STATUS_LABELS: Record<DeliveryStatus, string> = {
  queued: 'queued',
  started: 'started',
  completed: 'completed',
  error: 'error, will retry',
  dead: 'dead',
};

export const PERMISSION_LABELS: Record<Permission, string> = {
  list: 'List folders',
  download: 'Download',
  upload: 'Upload',
  overwrite: 'Overwrite',
  rename: 'Rename',
  delete: 'Delete',
  mkdir: 'Create folders',
};
