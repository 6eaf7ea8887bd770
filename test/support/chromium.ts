import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

/** Where Chromium or Chrome usually lives; CHROME_PATH goes first. */
function candidates(): string[] {
  const env = process.env.CHROME_PATH ? [process.env.CHROME_PATH] : [];
  if (process.platform === 'darwin') {
    return [...env, '/Applications/Chromium.app/Contents/MacOS/Chromium', '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome'];
  }
  if (process.platform === 'win32') {
    const roots = [process.env.PROGRAMFILES, process.env['PROGRAMFILES(X86)'], process.env.LOCALAPPDATA].filter((root): root is string => Boolean(root));
    return [
      ...env,
      ...roots.flatMap((root) => [join(root, 'Google', 'Chrome', 'Application', 'chrome.exe'), join(root, 'Chromium', 'Application', 'chrome.exe')]),
    ];
  }
  return [...env, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable', '/snap/bin/chromium'];
}

export function findChromium(): string {
  const found = candidates().find((path) => existsSync(path));
  if (!found) {
    throw new Error(
      'The browser tests need Chromium or Chrome, and none was found. Install one ' +
        '(Debian/Ubuntu: `sudo apt-get install chromium`) or set CHROME_PATH to its executable. Looked in:\n  ' +
        candidates().join('\n  '),
    );
  }
  return found;
}

/**
 * Headless Chromium with a fresh profile, and the flags that keep it off the network: this machine has
 * none, and without them Chromium keeps trying to reach Google's services. `gpu` turns WebGPU on (a
 * SwiftShader adapter where there is no GPU) for the compute page; otherwise the GPU is off.
 */
export async function launchChromium({ gpu = false } = {}): Promise<BrowserContext> {
  // No profile folder given: Playwright makes a temporary one and removes it before close() returns, and
  // when the test process exits.
  return chromium.launchPersistentContext('', {
    executablePath: findChromium(),
    headless: true,
    viewport: { width: 1440, height: 900 },
    args: [
      '--no-sandbox',
      gpu ? '--enable-unsafe-webgpu' : '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
