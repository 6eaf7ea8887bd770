import { Menu, app, type MenuItemConstructorOptions } from 'electron';
import type { Workbench } from '../core/workbench';

export function setupMenu(workbench: Workbench): void {
  const template: MenuItemConstructorOptions[] = [
    ...(process.platform === 'darwin' ? [{ role: 'appMenu' as const }] : []),
    {
      label: 'File',
      submenu: [
        {
          label: 'Open Project…',
          accelerator: 'CmdOrCtrl+O',
          // The core announces the opened project to the window, as it does for any other way of opening.
          click: () => void workbench.chooseProjectFolder().catch((error: unknown) => console.error('Opening a project failed:', error)),
        },
        { type: 'separator' },
        process.platform === 'darwin' ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    { role: 'viewMenu' },
    { role: 'windowMenu' },
    { role: 'help', submenu: [{ label: `Maskbench ${app.getVersion()}`, enabled: false }] },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}
