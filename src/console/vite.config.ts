// Builds the web console (index.html + app/) into src/console/dist, which the admin app
// serves under /console/. Run by `npm run build:console` (npm install runs it too).
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  // Relative asset URLs: the same build works wherever the console is mounted.
  base: './',
  publicDir: 'public',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
  },
});
