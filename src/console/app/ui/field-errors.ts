// Which form field an API error is about. The API names the field at the start of its
// message ("password must have...", "config.url is not a URL", "body.config.x: ...",
// "publicKeys[0]: ...") or quotes it ('the username "acme" already exists').
import type { ApiError } from '../api.js';

export function errorConcerns(error: ApiError | undefined, field: string): boolean {
  if (!error || error.status === 0) return false;
  const lead = (/^[\w.[\]]+/.exec(error.message)?.[0] ?? '').replace(/^body\./, '');
  if (lead === field || field.startsWith(`${lead}.`) || field.startsWith(`${lead}[`) || lead.replace(/\[\d+\]$/, '') === field) return true;
  // Elsewhere in the message, as a whole word ("named" is not "name").
  const escaped = field.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^\\w.])${escaped}(?![\\w.[])`).test(error.message);
}
