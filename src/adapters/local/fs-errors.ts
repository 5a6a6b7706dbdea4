// Filesystem errors to core errors, once for the whole adapter (as OpenSSH's
// errno_to_portable does for its statuses).
import { CoreError, type CoreErrorCode } from '../../core/errors.js';

const BY_ERRNO: Record<string, [CoreErrorCode, string]> = {
  ENOENT: ['not_found', 'no such file or folder'],
  ENOTDIR: ['not_a_directory', 'not a folder'],
  EEXIST: ['already_exists', 'already exists'],
  ENOTEMPTY: ['not_empty', 'the folder is not empty'],
  EISDIR: ['is_a_directory', 'is a folder'],
  EACCES: ['permission_denied', 'permission denied by the server'],
  EPERM: ['permission_denied', 'permission denied by the server'],
  ELOOP: ['permission_denied', 'links are not followed'],
  ENAMETOOLONG: ['invalid_argument', 'name too long'],
  EINVAL: ['invalid_argument', 'invalid argument'],
  ENOSPC: ['limit_exceeded', 'no space left on the server'],
  EDQUOT: ['limit_exceeded', 'disk quota exceeded'],
  EFBIG: ['limit_exceeded', 'file too large'],
  EMFILE: ['unavailable', 'the server has too many open files; try again'],
  ENFILE: ['unavailable', 'the server has too many open files; try again'],
};

// Messages reach clients: they never name a storage key or a server path.
export function fromFsError(err: unknown): CoreError {
  if (err instanceof CoreError) return err;
  const errno = (err as NodeJS.ErrnoException | undefined)?.code;
  const known = errno ? BY_ERRNO[errno] : undefined;
  if (known) return new CoreError(known[0], known[1], { cause: err });
  return new CoreError('failure', 'storage error', { cause: err });
}
