import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const webRoot = path.dirname(fileURLToPath(import.meta.url));

/**
 * Builds the web app into `dist/web/` (served by `src/web/plugin.ts`). Hashed files land in `assets/` so the server
 * may cache them for a year; `index.html` is revalidated on every load. `npm run dev:web` proxies the API to a
 * running server on port 4747.
 */
export default defineConfig({
  root: webRoot,
  base: '/',
  publicDir: path.join(webRoot, 'public'),
  oxc: { jsx: { runtime: 'automatic', importSource: 'react' } },
  build: {
    outDir: path.resolve(webRoot, '../dist/web'),
    emptyOutDir: true,
    assetsDir: 'assets',
    sourcemap: true,
    target: 'es2022',
    chunkSizeWarningLimit: 1024,
  },
  server: {
    proxy: {
      '/api': { target: 'http://127.0.0.1:4747', changeOrigin: false },
      '/rest': { target: 'http://127.0.0.1:4747' },
    },
  },
});
