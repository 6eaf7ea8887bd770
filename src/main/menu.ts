import { Menu, app, dialog, type MenuItemConstructorOptions } from 'electron';
import type { AnnotationFormat } from '../shared/annotations';
import type { MediaKeep } from '../shared/project';
import type { Workbench } from '../core/workbench';

const EXPORTS: { label: string; format: AnnotationFormat; folder: boolean }[] = [
  { label: 'Pascal VOC (a folder)…', format: 'voc', folder: true },
  { label: 'CVAT for video 1.1…', format: 'cvat-video', folder: false },
  { label: 'CVAT for images 1.1…', format: 'cvat-images', folder: false },
];

// The core announces what these do (a project opened, a job started and ended), as for any other way of doing them.
function report(action: string): (error: unknown) => void {
  return (error) => void dialog.showErrorBox(`${action} failed`, error instanceof Error ? error.message : String(error));
}

export function setupMenu(workbench: Workbench): void {
  const importAnnotations = async (folder: boolean) => {
    const chosen = await dialog.showOpenDialog({
      title: folder ? 'Import a Pascal VOC folder' : 'Import a CVAT XML file',
      properties: folder ? ['openDirectory'] : ['openFile'],
      ...(folder ? {} : { filters: [{ name: 'CVAT XML', extensions: ['xml'] }] }),
    });
    if (chosen.canceled || !chosen.filePaths[0]) return;
    // Replacing annotations is undoable only through history/: ask first.
    if (await workbench.annotations()) {
      const answer = await dialog.showMessageBox({
        type: 'question',
        buttons: ['Replace', 'Cancel'],
        defaultId: 1,
        cancelId: 1,
        message: 'Replace the project’s annotations?',
        detail: 'The current ones are kept in the project’s history/ folder.',
      });
      if (answer.response !== 0) return;
    }
    await workbench.importAnnotationsFromHost(chosen.filePaths[0]);
  };
  /** Asks for a video file or a folder of frames, then whether to copy it into the project or reference it where it is. */
  const chooseMedia = async (frames: boolean): Promise<{ media: string; keep: MediaKeep } | null> => {
    const chosen = await dialog.showOpenDialog({
      title: frames ? 'Choose the folder of frames' : 'Choose the video',
      properties: frames ? ['openDirectory'] : ['openFile'],
      ...(frames ? {} : { filters: [{ name: 'Videos', extensions: ['mp4', 'm4v', 'mov', 'mkv', 'webm', 'avi'] }] }),
    });
    if (chosen.canceled || !chosen.filePaths[0]) return null;
    const answer = await dialog.showMessageBox({
      type: 'question',
      buttons: ['Reference it where it is', 'Copy it into the project', 'Cancel'],
      defaultId: 0,
      cancelId: 2,
      message: 'Copy the media into the project folder?',
      detail: 'A reference keeps one copy on disk; the project finds it by a path relative to its folder, so move them together.',
    });
    return answer.response === 2 ? null : { media: chosen.filePaths[0], keep: answer.response === 0 ? 'reference' : 'copy' };
  };
  const newProject = async (frames: boolean) => {
    const media = await chooseMedia(frames);
    if (!media) return;
    const folder = await dialog.showOpenDialog({
      title: 'Choose (or make) the new project’s folder',
      properties: ['openDirectory', 'createDirectory', 'promptToCreate'],
    });
    if (folder.canceled || !folder.filePaths[0]) return;
    await workbench.createProjectFromHost(folder.filePaths[0], media.media, media.keep);
  };
  const setMedia = async (frames: boolean) => {
    const media = await chooseMedia(frames);
    if (media) await workbench.setMediaFromHost(media.media, media.keep);
  };
  const exportAnnotations = async (format: AnnotationFormat, folder: boolean) => {
    const chosen = await dialog.showSaveDialog({ title: 'Export annotations', ...(folder ? {} : { filters: [{ name: 'CVAT XML', extensions: ['xml'] }] }) });
    if (chosen.canceled || !chosen.filePath) return;
    const written = await workbench.exportAnnotationsFromHost(format, chosen.filePath);
    await dialog.showMessageBox({
      message: `Wrote ${written.boxes} boxes to ${written.out}`,
      detail: written.notKept.length ? `Not kept: ${written.notKept.join('; ')}` : '',
    });
  };
  const template: MenuItemConstructorOptions[] = [
    ...(process.platform === 'darwin' ? [{ role: 'appMenu' as const }] : []),
    {
      label: 'File',
      submenu: [
        { label: 'Open Project…', accelerator: 'CmdOrCtrl+O', click: () => void workbench.chooseProjectFolder().catch(report('Opening the project')) },
        { label: 'New Project from a Video…', click: () => void newProject(false).catch(report('Making the project')) },
        { label: 'New Project from a Folder of Frames…', click: () => void newProject(true).catch(report('Making the project')) },
        {
          label: 'Set or Relink Media',
          submenu: [
            { label: 'Video…', click: () => void setMedia(false).catch(report('Setting the media')) },
            { label: 'Folder of Frames…', click: () => void setMedia(true).catch(report('Setting the media')) },
          ],
        },
        { type: 'separator' },
        { label: 'Import Pascal VOC Folder…', click: () => void importAnnotations(true).catch(report('The import')) },
        { label: 'Import CVAT XML…', click: () => void importAnnotations(false).catch(report('The import')) },
        {
          label: 'Export Annotations',
          submenu: EXPORTS.map(({ label, format, folder }) => ({ label, click: () => void exportAnnotations(format, folder).catch(report('The export')) })),
        },
        { type: 'separator' },
        process.platform === 'darwin' ? { role: 'close' } : { role: 'quit' },
      ],
    },
    // Not the stock Edit menu: its Undo and Redo accelerators would take Ctrl+Z from the page, whose
    // undo goes through the core's edit history.
    { label: 'Edit', submenu: [{ role: 'cut' }, { role: 'copy' }, { role: 'paste' }, { role: 'selectAll' }] },
    { role: 'viewMenu' },
    { role: 'windowMenu' },
    { role: 'help', submenu: [{ label: `Maskbench ${app.getVersion()}`, enabled: false }] },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}
