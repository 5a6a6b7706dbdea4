#!/usr/bin/env node
// package.json "bin" entry: lets `npx thru-sftp ...` run the TypeScript CLI through tsx,
// with no build step.
import { register } from 'tsx/esm/api';

register();
await import('./thru-sftp.ts');
