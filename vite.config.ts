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

/**
 * The window's components are a chunk of their own, imported by main.tsx once the connection is on
 * its way (issue #13, the first row within 1 s). A `modulepreload` link for it (and what it imports)
 * lets the browser fetch and compile it beside the entry, not after it: the import then finds it ready.
 */
function preloadDynamicChunks(): Plugin {
  return {
    name: 'ferry-preload-dynamic-chunks',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(html, context) {
        const bundle = context.bundle;
        const entry = context.chunk;
        if (!bundle || !entry) return html;
        const files = new Set<string>();
        const visit = (name: string) => {
          const chunk = bundle[name];
          if (!chunk || chunk.type !== 'chunk' || files.has(name) || name === entry.fileName || entry.imports.includes(name)) return;
          files.add(name);
          for (const imported of chunk.imports) visit(imported);
        };
        for (const name of entry.dynamicImports) visit(name);
        return [...files].map((file) => ({
          tag: 'link',
          attrs: { rel: 'modulepreload', crossorigin: true, href: `./${file}` },
          injectTo: 'head' as const,
        }));
      },
    },
  };
}

// `FERRY_HOST=http://127.0.0.1:PORT npx vite` proxies the WebSocket to a running browser host.
const host = process.env.FERRY_HOST;

export default defineConfig({
  root: fileURLToPath(new URL('./renderer', import.meta.url)),
  base: './',
  plugins: [react(), dropCspInDev(), preloadDynamicChunks()],
  build: {
    outDir: fileURLToPath(new URL('./dist/renderer', import.meta.url)),
    emptyOutDir: true,
    target: 'chrome120',
    // no source maps in the build: they would ship in the app and double its size
    sourcemap: false,
  },
  server: host ? { proxy: { '/ws': { target: host, ws: true } } } : {},
});
