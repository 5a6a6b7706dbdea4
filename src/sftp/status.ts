// Core errors to SFTP v3 statuses: the one place where that mapping lives.
import ssh2 from 'ssh2';
import { CoreError, type CoreErrorCode } from '../core/errors.js';

const { STATUS_CODE } = ssh2.utils.sftp;

const BY_CODE: Record<CoreErrorCode, number> = {
  not_found: STATUS_CODE.NO_SUCH_FILE,
  not_a_directory: STATUS_CODE.NO_SUCH_FILE,
  permission_denied: STATUS_CODE.PERMISSION_DENIED,
  already_exists: STATUS_CODE.FAILURE,
  not_empty: STATUS_CODE.FAILURE,
  is_a_directory: STATUS_CODE.FAILURE,
  invalid_argument: STATUS_CODE.BAD_MESSAGE,
  unsupported: STATUS_CODE.OP_UNSUPPORTED,
  conflict: STATUS_CODE.FAILURE,
  limit_exceeded: STATUS_CODE.FAILURE,
  unavailable: STATUS_CODE.FAILURE,
  failure: STATUS_CODE.FAILURE,
};

export interface SftpStatus {
  code: number;
  message: string;
  /** Not a CoreError: a bug or an unexpected failure, worth logging. */
  unexpected: boolean;
}

/** Status and message for any error; unexpected errors say nothing about the server. */
export function statusOf(err: unknown): SftpStatus {
  if (err instanceof CoreError) return { code: BY_CODE[err.code], message: err.message, unexpected: false };
  return { code: STATUS_CODE.FAILURE, message: 'internal error', unexpected: true };
}
