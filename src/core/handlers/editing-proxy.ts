// Editing proxies made without being asked: when a project opens whose video the window would seek in
// slowly (or could not play), a job makes its proxy in the background, and the window switches to it
// when it is done. Until then the window plays the original.

import { basename, resolve } from 'node:path';
import { toErrorData } from '../../shared/errors';
import type { ProjectSummary } from '../../shared/project';
import { probeVideoStream } from '../media/probe';
import { makeEditingProxy, proxyReasons, readyProxy } from '../project/editing-proxy';
import type { CoreContext } from './context';

/** Watches projects being opened, and starts a proxy job for each whose video needs one and has none. */
export function makeProxiesWhenNeeded({ session, jobs }: CoreContext): void {
  /** Projects whose proxy is being looked into or made: opening one twice makes one proxy. */
  const busy = new Set<string>();

  async function offer(project: ProjectSummary): Promise<void> {
    const media = project.settings?.media;
    if (media?.kind !== 'video' || project.missingMedia || project.editingProxy || busy.has(project.path)) return;
    busy.add(project.path);
    let started = false;
    try {
      const reasons = proxyReasons(await probeVideoStream(resolve(project.path, media.path)));
      if (reasons.length === 0) return;
      started = true;
      jobs.start(
        'proxy',
        `Making an editing proxy of ${basename(media.path)}`,
        async (job) => {
          try {
            job.log(`The window would seek slowly in the original: ${reasons.join('; ')}`);
            await makeEditingProxy(project.path, media, job.signal, (done, total) => job.progress(done, total, `Frame ${done} of ${total}`));
            // The project may have been given other media meanwhile: then this proxy is not its proxy.
            const open = session.project;
            const proxy = open?.path === project.path ? await readyProxy(open.path, open.settings?.media ?? null) : null;
            if (proxy) session.proxyMade(project.path, proxy);
            return { project: project.path, proxy };
          } finally {
            busy.delete(project.path);
          }
        },
        { project: project.path },
      );
    } finally {
      if (!started) busy.delete(project.path);
    }
  }

  session.events.subscribe((event) => {
    if (event.type !== 'project-opened') return;
    // The original still plays: a video that cannot be looked into (or has gone since) is reported, and nothing else changes.
    offer(event.project).catch((error: unknown) => console.warn(`No editing proxy for ${event.project.path}: ${toErrorData(error).message}`));
  });
}
