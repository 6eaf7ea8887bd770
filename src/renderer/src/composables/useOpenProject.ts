import { useAppStore } from '../stores/app';
import { useLayoutStore } from '../stores/layout';
import { useProjectStore } from '../stores/project';

/** "Open project": the native dialog where the host has one, else the path dialog of browser mode. */
export function useOpenProject(): () => Promise<void> {
  const app = useAppStore();
  const layout = useLayoutStore();
  const project = useProjectStore();
  return async () => {
    if (!app.info?.nativeDialogs) {
      layout.toggleOverlay('open-project');
      return;
    }
    try {
      await project.choose();
    } catch (error) {
      app.report(error);
    }
  };
}
