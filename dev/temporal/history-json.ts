// Workflow histories as JSON files, for the replay tests. The SDK's historyToJSON and
// historyFromJSON fail in this install ("type must be a Type": @temporalio/common and
// @temporalio/proto each carry their own protobufjs copy), so the proto classes' own
// toObject/fromObject are used: the same field names, enum names and base64 payloads as
// Temporal's JSON histories, with 64-bit numbers as strings.
import { temporal } from '@temporalio/proto';

type History = temporal.api.history.v1.History;
const { History } = temporal.api.history.v1;

export function historyToPlainJson(history: temporal.api.history.v1.IHistory): unknown {
  return History.toObject(History.fromObject(history as Record<string, unknown>), {
    longs: String,
    enums: String,
    bytes: String,
  });
}

export function historyFromPlainJson(json: unknown): History {
  return History.fromObject(json as Record<string, unknown>);
}
