// The window's build (renderer/ -> dist/renderer/). `base: './'` makes every asset URL relative, so
// the same build loads from file:// in Electron and from the browser host's HTTP server.
// Tests do not use this file: vitest.config.ts has its own `renderer` project.
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

/**
 * The dev server injects an inline script (React Fast Refresh) that the page's strict CSP
 * (script-src 'self') refuses; the CSP is dropped from the page in `vite` dev only, never in a build.
 */
function dropCspInDev(): Plugin {
  return {
    name: 'ferry-drop-csp-in-dev',
    apply: 'serve',
    transformIndexHtml: (html) => html.replace(/<meta\s+http-equiv="Content-Security-Policy"[^>]*>/s, ''),
  };
}

// `FERRY_HOST=http://127.0.0.1:PORT npx vite` proxies the WebSocket to a running browser host.
const host = process.env.FERRY_HOST;

export default defineConfig({
  root: fileURLToPath(new URL('./renderer', import.meta.url)),
  base: './',
  plugins: [react(), dropCspInDev()],
  build: {
    outDir: fileURLToPath(new URL('./dist/renderer', import.meta.url)),
    emptyOutDir: true,
    target: 'chrome120',
    // no source maps in the build: they would ship in the app and double its size
    sourcemap: false,
  },
  server: host ? { proxy: { '/ws': { target: host, ws: true } } } : {},
});
