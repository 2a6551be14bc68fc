import { defineConfig } from 'vite';

// The build lands in the server's classes, so Maven packs it into the jar and Javalin serves it under
// /ui/ from the classpath (HttpApi). Everything is bundled: the page loads nothing from elsewhere.
export default defineConfig({
  base: '/ui/',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: '../server/target/classes/ui', // relative to this folder
    emptyOutDir: true,
    // One small script and one stylesheet; no inline script, so the page runs under a self-only CSP.
    modulePreload: false,
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 200,
  },
});
