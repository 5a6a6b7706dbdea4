// Identifiers: a short type prefix and 16 random hex digits ("org-3f9a0c1b2d4e5f60").
// They end up in storage keys, so they stay lower-case ASCII.
import { randomBytes } from 'node:crypto';

export type IdPrefix = 'org' | 'ep' | 'flow' | 'fe' | 'usr' | 'tr' | 'dl';

export const newId = (prefix: IdPrefix): string => `${prefix}-${randomBytes(8).toString('hex')}`;

export const ID_PATTERN = /^[a-z]{2,4}-[0-9a-f]{16}$/;
