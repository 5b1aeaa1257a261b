// Submitting a backlog the way `slides submit` does (plain JSON input, the slide's own
// workflow ID), 100 start calls at a time.
import type { Client, WorkflowHandle } from '@temporalio/client';
import { slideStartOptions, WORKFLOW_TYPE } from '../src/slides/start-options';
import { SLIDES_BUCKET } from '../dev/stack/local-stack';

/** Starts `count` synthetic slides named `<prefix>/slide-00000.svs`...; `onBatch` sees the handles so far. */
export async function submitSlides(
  client: Client,
  prefix: string,
  count: number,
  onBatch?: (handles: WorkflowHandle[]) => void,
): Promise<WorkflowHandle[]> {
  const handles: WorkflowHandle[] = [];
  for (let i = 0; i < count; i += 100) {
    const batch = Array.from({ length: Math.min(100, count - i) }, (_, j) => i + j);
    handles.push(
      ...(await Promise.all(
        batch.map((n) =>
          client.workflow.start(
            WORKFLOW_TYPE,
            slideStartOptions(
              'slides',
              {
                bucket: SLIDES_BUCKET,
                key: `${prefix}/slide-${String(n).padStart(5, '0')}.svs`,
                sizeBytes: 1000,
              },
              'FAIL',
            ),
          ),
        ),
      )),
    );
    onBatch?.(handles);
  }
  return handles;
}
