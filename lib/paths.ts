// Absolute paths the CDK app needs: assets are built from the repository itself.
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

export const repoPath = (...parts: string[]): string => join(REPO_ROOT, ...parts);
