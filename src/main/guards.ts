// What pages may do beyond showing themselves: only what our renderer needs. They never leave it, open
// windows or webviews, reach devices, or get a permission but fullscreen.

import { app, session } from 'electron';
import { isRendererUrl } from './window';

/** The one permission the renderer uses: the fullscreen button of <video controls>. */
const NEEDED_PERMISSIONS = new Set<string>(['fullscreen']);

const grants = (permission: string, url: string | undefined, isMainFrame: boolean): boolean =>
  NEEDED_PERMISSIONS.has(permission) && isMainFrame && url !== undefined && isRendererUrl(url);

export function setupGuards(): void {
  const { defaultSession } = session;
  defaultSession.setPermissionRequestHandler((_contents, permission, callback, details) =>
    callback(grants(permission, details.requestingUrl, details.isMainFrame)),
  );
  defaultSession.setPermissionCheckHandler((_contents, permission, requestingOrigin, details) => grants(permission, requestingOrigin, details.isMainFrame));
  // USB, HID and serial devices: the app uses none (Bluetooth requests are cancelled while nothing listens for them).
  defaultSession.setDevicePermissionHandler(() => false);
  app.on('web-contents-created', (_event, contents) => {
    // Every frame, the main one included. The one navigation let through is the dev server reloading the page in place.
    contents.on('will-frame-navigate', (event) => {
      if (!event.isMainFrame || event.url !== contents.getURL()) event.preventDefault();
    });
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
    contents.on('will-attach-webview', (event) => event.preventDefault());
  });
}
