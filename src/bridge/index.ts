// The SQS bridge: S3 upload events -> processSlide workflows. See README.md in this folder.
export {
  createBridgeClient,
  startBridge,
  type BridgeHandle,
  type BridgeOptions,
  type BridgeStats,
} from './bridge';
export { registerBridgeCommand, runBridge } from './cli';
export {
  ORIGINAL_MESSAGE_ID_ATTRIBUTE,
  REJECT_REASON_ATTRIBUTE,
  REJECTED_AT_ATTRIBUTE,
  SOURCE_QUEUE_ATTRIBUTE,
} from './dead-letter';
export {
  formatRejection,
  parseMessage,
  type ParsedMessage,
  type Rejection,
  type SlideRecord,
} from './parse-message';
export {
  createLocalQueues,
  LOCAL_DLQ_NAME,
  LOCAL_QUEUE_NAME,
  notifyQueueOfUploads,
  s3NotificationQueuePolicy,
  type LocalQueues,
} from './queues';
export { BRIDGE_SETTING_NAMES, loadBridgeSettings, type BridgeSettings } from './settings';
