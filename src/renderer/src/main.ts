import { createPinia } from 'pinia';
import { createApp } from 'vue';
import App from './App.vue';
import { installConnection } from './api/client';
import { connect } from './api/connect';
import { useAppStore } from './stores/app';
import { useDatasetsStore } from './stores/datasets';
import { useImportsStore } from './stores/imports';
import { useJobsStore } from './stores/jobs';
import { usePreferencesStore } from './stores/preferences';
import { useProjectStore } from './stores/project';
import { useReviewStore } from './stores/review';
import { useTrainingStore } from './stores/training';
import './styles.css';

const connection = connect();
installConnection(connection);

const app = createApp(App);
app.use(createPinia());

const appStore = useAppStore();
const jobs = useJobsStore();
const project = useProjectStore();
// The stores that follow jobs subscribe as they are made: made now, none misses a job that ends before a view asks for it.
useTrainingStore();
useReviewStore();
useDatasetsStore();
useImportsStore();

connection.onStateChange((state) => (appStore.connection = state));
// One subscription for the whole window; each event goes to the store of its domain.
connection.api.onEvent((event) => {
  if (event.type === 'project-opened') project.opened(event.project);
  else if (event.type === 'annotations-saved') {
    project.saveState = event.save;
    if (event.save.state === 'error') appStore.report(event.save.error);
  } else if (event.type === 'compute-pages') appStore.computePagesChanged(event.pages);
  else jobs.receive(event);
});

app.mount('#app');
Promise.all([appStore.load(), project.load(), jobs.load(), usePreferencesStore().load()]).catch((error: unknown) => appStore.report(error));
