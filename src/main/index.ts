// The Electron shell: lifecycle only. Everything the window can do lives in src/core and is wired
// here through setupX() calls, so this process stays a few dozen lines that cannot be tested here.

import { app, dialog } from 'electron';
import { join } from 'node:path';
import { defaultDataDir } from '../core/app-dirs';
import { openStartupProject } from '../core/project/startup-project';
import { Workbench } from '../core/workbench';
import { setupGuards } from './guards';
import { setupIpc } from './ipc';
import { setupMenu } from './menu';
import { registerSchemes, setupProtocols } from './protocols';
import { createMainWindow } from './window';
import { enableWebGpu, setupComputeWindow } from './compute-window';

// Must run before the app is ready: privileged schemes and Chromium's switches are fixed at start-up.
registerSchemes();
enableWebGpu();

// One data folder for the desktop app and `maskbench serve` (and MASKBENCH_DATA_DIR for both).
app.setPath('userData', defaultDataDir());

const workbench = new Workbench({
  dataDir: app.getPath('userData'),
  host: {
    kind: 'electron',
    chooseFolder: async (title) => {
      const result = await dialog.showOpenDialog({ title, properties: ['openDirectory', 'createDirectory'] });
      return result.canceled ? null : (result.filePaths[0] ?? null);
    },
  },
  workerScript: join(__dirname, 'worker.js'),
});

// A second launch focuses the running window instead of starting another core on the same files.
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app
    .whenReady()
    .then(() => {
      setupGuards();
      setupProtocols(workbench);
      setupIpc(workbench);
      setupMenu(workbench);
      setupComputeWindow(workbench);
      createMainWindow();
      // The window shows the progress if the sample project must be generated first.
      openStartupProject(workbench).catch((error: unknown) => console.error('Opening the start-up project failed:', error));
    })
    // A window that cannot be set up is no app: say why, and quit rather than linger without one.
    .catch((error: unknown) => {
      console.error('Maskbench could not start:', error);
      app.exit(1);
    });
  app.on('second-instance', () => createMainWindow().focus());
  app.on('activate', () => createMainWindow());
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  // Running jobs get a few seconds to cancel and clean up (no half-written sample or dataset is left).
  let quitting = false;
  app.on('before-quit', (event) => {
    if (quitting) return;
    quitting = true;
    event.preventDefault();
    void workbench.shutdown().finally(() => app.quit());
  });
}
