/// <reference types="vite/client" />
import type { WorkbenchApi } from '../../shared/api';

declare global {
  interface Window {
    /** Set by the Electron preload; absent in browser mode. */
    maskbench?: WorkbenchApi;
  }
}

declare module '*.vue' {
  import type { DefineComponent } from 'vue';
  const component: DefineComponent<object, object, unknown>;
  export default component;
}
