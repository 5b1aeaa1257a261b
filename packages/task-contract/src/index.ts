// What the orchestrator and its ECS task agree on: the task's environment and exit codes, the
// checkpoint, and `s3://` URIs. Plain data and functions with no dependencies, so both sides
// (and their images) can carry it.
export { TASK_ENV, TASK_EXIT } from './task-environment';
export {
  CHECKPOINT_VERSION,
  readCheckpointBody,
  type CheckpointCore,
  type CheckpointReading,
} from './checkpoint';
export { formatS3Uri, InvalidS3UriError, joinS3Uri, parseS3Uri, type S3Location } from './s3-uri';
