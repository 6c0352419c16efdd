// The renderer build: src-renderer/ -> dist/renderer/, served by the app:// protocol in Electron
// and by the browser bridge. Relative URLs (`base: './'`) so either origin works. Nothing inline:
// the page runs under `script-src 'self'; style-src 'self'`, so scripts and component styles go
// to files, and the CSP is written into index.html as a <meta> fallback from the one source.
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { fileURLToPath } from 'node:url';
import { type Plugin, defineConfig } from 'vite';
import { CONTENT_SECURITY_POLICY_META } from './src-main/shell/content-policy.js';

function contentSecurityPolicyMeta(): Plugin {
  return {
    name: 'curvekeep-csp-meta',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(html) {
        if (/<script(?![^>]*\bsrc=)[^>]*>/i.test(html) || /<style[\s>]/i.test(html) || /\sstyle=/i.test(html)) {
          throw new Error('index.html holds an inline script or style, which the CSP refuses');
        }
        const charset = /<meta charset="utf-8"\s*\/?>/i;
        if (!charset.test(html)) throw new Error('index.html needs <meta charset="utf-8"> first in <head>');
        // Right after the charset, before any script, so it governs everything that loads.
        const meta = `<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY_META.replace(/"/g, '&quot;')}" />`;
        return html.replace(charset, (found) => `${found}\n    ${meta}`);
      },
    },
  };
}

export default defineConfig({
  root: fileURLToPath(new URL('./src-renderer/', import.meta.url)),
  base: './',
  publicDir: false,
  plugins: [svelte({ compilerOptions: { runes: true }, emitCss: true }), contentSecurityPolicyMeta()],
  build: {
    outDir: fileURLToPath(new URL('./dist/renderer/', import.meta.url)),
    emptyOutDir: true,
    target: 'chrome120',
    // The preload polyfill would be a script of its own; Chromium has modulepreload.
    modulePreload: { polyfill: false },
    // Never inline assets as data: URLs into CSS/JS where a file does as well.
    assetsInlineLimit: 0,
    sourcemap: true,
    reportCompressedSize: false,
    chunkSizeWarningLimit: 1000,
    // One stylesheet (34 KB), linked by index.html. Split per view, opening a view made Vite's
    // preload helper add a <link> per component stylesheet first (six for Keys), each append a
    // few milliseconds of the page's main thread before the view's rows (70 ms in one trace).
    cssCodeSplit: false,
    // Modules that two or more views share go into one chunk, so that opening a view fetches its
    // own file and at most this one, not a file per small component (Keys needed nine). Over
    // HTTP/1.1 (the bridge) a page gets six connections, and the first page's IPC call queued
    // behind the rest.
    rolldownOptions: { output: { codeSplitting: { groups: [{ name: 'shared', minShareCount: 2, test: /src-renderer[\\/](components|lib)[\\/]|src-main[\\/]/ }] } } },
  },
});
