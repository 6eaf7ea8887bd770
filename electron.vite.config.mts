import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'electron-vite';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Plugin } from 'vite';

/** Where the compute page is built: Vite emits an HTML page only from inside the renderer's root. */
const COMPUTE_PAGE = resolve('src/renderer/compute.html');

/** Stands src/compute/index.html in at COMPUTE_PAGE, so that src/renderer holds nothing of the compute host. */
function computePage(): Plugin {
  return {
    name: 'maskbench:compute-page',
    resolveId: (id) => (id === COMPUTE_PAGE ? id : null),
    load: (id) => (id === COMPUTE_PAGE ? readFileSync(resolve('src/compute/index.html'), 'utf8') : null),
  };
}

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
      rollupOptions: { input: { index: resolve('src/preload/index.ts'), compute: resolve('src/preload/compute.ts') }, output: { format: 'cjs' } },
    },
  },
  renderer: {
    root: resolve('src/renderer'),
    base: './',
    // The app's own assets (the icon) ship inside the renderer: no network fonts or CDNs.
    publicDir: resolve('resources'),
    plugins: [vue(), computePage()],
    // The compute host (src/compute) is a second page of the same build, so Electron's hidden window and a
    // browser both load it from wherever they load the app.
    build: { rollupOptions: { input: { index: resolve('src/renderer/index.html'), compute: COMPUTE_PAGE } } },
  },
});
