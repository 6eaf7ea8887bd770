import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'electron-vite';
import { resolve } from 'node:path';

export default defineConfig({
  main: {
    build: {
      rollupOptions: {
        // The CLI (and `maskbench serve`) and the worker threads share the main process's core, so they
        // are built together, side by side in out/main.
        input: { index: resolve('src/main/index.ts'), cli: resolve('src/cli/index.ts'), worker: resolve('src/core/worker/thread.ts') },
      },
    },
  },
  preload: {
    build: {
      // A sandboxed preload can require only electron and a few built-ins: bundle everything else in.
      externalizeDeps: false,
      rollupOptions: { input: { index: resolve('src/preload/index.ts') }, output: { format: 'cjs' } },
    },
  },
  renderer: {
    root: resolve('src/renderer'),
    base: './',
    // The app's own assets (the icon) ship inside the renderer: no network fonts or CDNs.
    publicDir: resolve('resources'),
    plugins: [vue()],
    build: { rollupOptions: { input: { index: resolve('src/renderer/index.html') } } },
  },
});
