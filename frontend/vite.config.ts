// Build contract with the server (see tests/e2e/run.mjs, which checks it in a browser):
// - relative asset URLs (base './'), so one build works at '/' and under any
//   --base-path: the server rewrites <base href="/"> in index.html and every
//   relative URL, including lazily loaded chunks, follows it;
// - nothing inlined, because the server's CSP allows only 'self' scripts and styles.
import { loadEnv } from 'vite'
import { defineConfig } from 'vitest/config'
import vue from '@vitejs/plugin-vue'

export default defineConfig(({ mode }) => ({
  base: './',
  plugins: [vue()],
  // `npm run dev`: hot reload against a running server (IRONPANEL_URL, default :8080). The
  // dev server is same-origin for the browser, so the refresh cookie works as in production.
  server: {
    proxy: Object.fromEntries(
      ['/api', '/health'].map((p) => [p, { target: loadEnv(mode, '.', 'IRONPANEL_').IRONPANEL_URL ?? 'http://127.0.0.1:8080' }]),
    ),
  },
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    emptyOutDir: true,
    // Never turn small assets into data: URLs inside JS/CSS.
    assetsInlineLimit: 0,
    // Chromium, Firefox and Safari support modulepreload natively; the polyfill
    // is dead weight and must never end up as an inline script.
    modulePreload: { polyfill: false },
    // One stylesheet per chunk, loaded with <link>, never injected as <style>.
    cssCodeSplit: true,
    sourcemap: false,
    target: 'es2022',
    rollupOptions: {
      output: {
        // The framework every page needs, in one long-cacheable chunk. Only these: a library
        // one view uses (a chart) must stay in that view's lazy chunk, outside the initial JS.
        manualChunks(id: string) {
          return /node_modules\/(@vue|vue|vue-router|pinia|openapi-fetch)\//.test(id) ? 'framework' : undefined
        },
      },
    },
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.ts'],
    restoreMocks: true,
    unstubGlobals: true,
  },
}))
