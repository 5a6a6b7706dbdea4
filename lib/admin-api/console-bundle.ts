// The web console inside the admin Lambda's bundle: Vite builds it from the sources into
// console/ next to index.mjs while CDK bundles the function, so a deploy always ships the
// console of the code it deploys (no stale dist/console) and needs no Docker.
import { repoPath } from '../paths.js';

const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

/** The shell command that builds the console into `<outputDir>/console`. */
export function consoleBuildCommand(outputDir: string): string {
  return [
    process.execPath,
    repoPath('node_modules', 'vite', 'bin', 'vite.js'),
    'build',
    '--config',
    repoPath('src', 'console', 'vite.config.ts'),
    '--outDir',
    `${outputDir}/console`,
    '--emptyOutDir',
    '--logLevel',
    'warn',
  ]
    .map(quote)
    .join(' ');
}
