// `npm run local-setup`: the buckets, the upload queue and the processor's task definitions on
// the local endpoints named by AWS_ENDPOINT_URL_* (docker-compose.yml's one-shot `setup`).
import { prepareLocalAws } from '../stack/local-stack';

prepareLocalAws(process.env).then(
  () =>
    console.log(
      'buckets wsi-slides, wsi-work, the upload queue and task definitions wsi-processor, wsi-processor-sim, wsi-processor-openslide, wsi-example-tissue-fraction are ready',
    ),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
