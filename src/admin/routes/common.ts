// Pieces every route module uses: response declarations for the OpenAPI document,
// paging, and the JSON body declaration.
import type { z } from '@hono/zod-openapi';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Page } from '../../core/ports/directory.js';
import type { Tenancy } from '../../core/tenancy/index.js';
import type { Audit } from '../audit.js';
import type { AdminEnv } from '../env.js';
import { DEFAULT_PAGE_SIZE, ErrorSchema } from '../schemas.js';

export interface RouteDeps {
  app: OpenAPIHono<AdminEnv>;
  tenancy: Tenancy;
  audit: Audit;
}

export const json = <T extends z.ZodType>(schema: T, description: string) => ({ content: { 'application/json': { schema } }, description });

export const body = <T extends z.ZodType>(schema: T) => ({ content: { 'application/json': { schema } }, required: true });

const error = (description: string) => json(ErrorSchema, description);
export const E400 = { 400: error('malformed JSON, unknown field, wrong type or bad query parameter') } as const;
export const E401 = { 401: error('no or wrong admin token') } as const;
export const E404 = { 404: error('no such resource') } as const;
export const E409 = { 409: error('conflicts with the current state (duplicate, children exist, nothing to retry)') } as const;
export const E413 = { 413: error('body larger than the limit') } as const;
export const E415 = { 415: error('body is not application/json') } as const;
export const E422 = { 422: error('semantically invalid (names, paths, keys, ranges, references)') } as const;
export const NO_CONTENT = { 204: { description: 'done' } } as const;

export const pageRequest = (q: { limit?: number; cursor?: string }) => ({ limit: q.limit ?? DEFAULT_PAGE_SIZE, ...(q.cursor ? { cursor: q.cursor } : {}) });

export function pageBody<T, V>(page: Page<T>, view: (item: T) => V): { items: V[]; nextCursor?: string } {
  return { items: page.items.map(view), ...(page.cursor ? { nextCursor: page.cursor } : {}) };
}
