// SQS message body -> the slides it announces, or why it is rejected. Pure: no I/O, no clock,
// so every shape and every bad input is a plain unit test.
//
// Shapes accepted:
//   - S3 event notification sent straight to SQS: {"Records": [{eventName, s3: {bucket, object}}]}
//     (keys URL-encoded, `+` for a space); also what SNS raw message delivery puts on the queue
//   - the same wrapped in an SNS envelope (non-raw delivery): {"Type": "Notification", "Message": "<json>"}
//   - EventBridge "Object Created" events: {"source": "aws.s3", "detail-type", "detail": {bucket, object}}
//     (keys NOT URL-encoded there)
//   - plain {"bucket": "...", "key": "...", "sizeBytes"?: n}
// The s3:TestEvent, SNS subscription confirmations and every non-ObjectCreated event are
// acknowledged and ignored (with a reason the bridge logs). An uploaded part of a folder slide
// (a DICOM series' .dcm) announces its folder (src/slides/folders.ts).

import { partOfAnotherSlide, slideKeyOfObject } from '../slides/folders';

/** S3 allows keys of up to 1024 bytes of UTF-8. */
export const MAX_KEY_BYTES = 1024;
/** S3 sends one record per message; a bound keeps a hostile message from fanning out without limit. */
export const MAX_RECORDS_PER_MESSAGE = 100;

export type RejectCode =
  | 'empty-body'
  | 'not-json'
  | 'unknown-shape'
  | 'missing-field'
  | 'wrong-type'
  | 'unknown-field'
  | 'no-records'
  | 'too-many-records'
  | 'bad-sns-envelope'
  | 'bad-percent-encoding'
  | 'bad-bucket'
  | 'empty-key'
  | 'key-too-long'
  | 'key-control-characters'
  | 'key-invalid-unicode';

export interface Rejection {
  code: RejectCode;
  /** Human-readable, names the offending field. */
  detail: string;
}

export type MessageSource = 's3' | 'sns' | 'eventbridge' | 'plain';

/** One slide to start. */
export interface SlideRecord {
  bucket: string;
  /** The real object key (URL-decoding already applied where the format encodes it). */
  key: string;
  sizeBytes?: number;
  /** e.g. `ObjectCreated:Put`, `Object Created`, `plain`: for logs. */
  event: string;
}

export type ParsedMessage =
  | {
      ok: true;
      source: MessageSource;
      /** Distinct slides to start; may be empty when everything was ignored. */
      records: SlideRecord[];
      /** Why parts of the message (or all of it) start nothing: logged, then acknowledged. */
      ignored: string[];
    }
  | { ok: false; rejection: Rejection };

/** Control characters (newlines included) replaced, so no input can forge a log line. */
const printable = (text: string): string => text.replace(/[\p{Cc}\p{Zl}\p{Zp}]/gu, '?');

/** `code: detail`, the form used in logs and the `wsi-reject-reason` attribute. */
export function formatRejection(r: Rejection): string {
  return `${r.code}: ${r.detail}`;
}

class Reject extends Error {
  constructor(readonly rejection: Rejection) {
    super(formatRejection(rejection));
  }
}

const fail = (code: RejectCode, detail: string): never => {
  throw new Reject({ code, detail });
};

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

const describe = (v: unknown): string =>
  v === null ? 'null' : Array.isArray(v) ? 'an array' : `a ${typeof v}`;

function field(obj: Json, name: string, path: string): unknown {
  if (!(name in obj) || obj[name] === undefined) fail('missing-field', `${path}${name} is missing`);
  return obj[name];
}

function objectField(obj: Json, name: string, path: string): Json {
  const v = field(obj, name, path);
  if (!isObject(v)) fail('wrong-type', `${path}${name}: expected an object, got ${describe(v)}`);
  return v as Json;
}

function stringField(obj: Json, name: string, path: string): string {
  const v = field(obj, name, path);
  if (typeof v !== 'string') fail('wrong-type', `${path}${name}: expected a string, got ${describe(v)}`);
  return v as string;
}

function sizeField(obj: Json, name: string, path: string): number | undefined {
  const v = obj[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)
    fail('wrong-type', `${path}${name}: expected a whole number of bytes, got ${JSON.stringify(v)}`);
  return v as number;
}

/** S3 notifications form-encode keys: `+` is a space, everything else percent-encoded UTF-8. */
export function decodeS3EventKey(encoded: string): string {
  try {
    return decodeURIComponent(encoded.replace(/\+/g, ' '));
  } catch {
    return fail('bad-percent-encoding', `object key ${JSON.stringify(encoded)} is not valid URL encoding`);
  }
}

/** Legacy bucket names allowed upper case and `_`, up to 255 characters; none allow `/` or controls. */
const BUCKET_NAME = /^[A-Za-z0-9._-]{3,255}$/;
const CONTROL = /\p{Cc}/u;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function checkSlide(bucket: string, key: string, path: string): void {
  if (!BUCKET_NAME.test(bucket))
    fail('bad-bucket', `${path}bucket ${JSON.stringify(bucket.slice(0, 300))} is not an S3 bucket name`);
  if (key.length === 0) fail('empty-key', `${path}key is empty`);
  if (LONE_SURROGATE.test(key)) fail('key-invalid-unicode', `${path}key is not valid Unicode`);
  const bytes = Buffer.byteLength(key, 'utf8');
  if (bytes > MAX_KEY_BYTES)
    fail('key-too-long', `${path}key is ${bytes} bytes; S3 allows at most ${MAX_KEY_BYTES}`);
  if (CONTROL.test(key))
    fail('key-control-characters', `${path}key ${JSON.stringify(key.slice(0, 200))} has control characters`);
}

/** A key ending in `/` is a "folder" the S3 console creates: not a slide. */
const isFolderMarker = (key: string): boolean => key.endsWith('/');

interface Collected {
  records: SlideRecord[];
  ignored: string[];
}

/**
 * Adds an announced slide. An upload event's key ending in `/` is the console's folder marker,
 * and an MRXS data file is part of its .mrxs's slide; a plain message names its slide on
 * purpose (a folder slide, a DICOM series, included).
 */
function addSlide(out: Collected, uploaded: SlideRecord, namedOnPurpose = false): void {
  if (isFolderMarker(uploaded.key) && !namedOnPurpose) {
    out.ignored.push(
      `${uploaded.event} s3://${uploaded.bucket}/${uploaded.key} is a folder marker, not a slide`,
    );
    return;
  }
  const part = partOfAnotherSlide(uploaded.key);
  if (part && !namedOnPurpose) {
    out.ignored.push(`${uploaded.event} s3://${uploaded.bucket}/${uploaded.key} ${part}`);
    return;
  }
  // A part of a folder slide (a DICOM series' .dcm) starts its folder's slide, whose size is
  // all its parts'; the series' other parts then find that slide already started.
  const key = slideKeyOfObject(uploaded.key);
  const record = key === uploaded.key ? uploaded : { bucket: uploaded.bucket, key, event: uploaded.event };
  const same = out.records.find((r) => r.bucket === record.bucket && r.key === record.key);
  if (!same) out.records.push(record);
  else same.sizeBytes ??= record.sizeBytes;
}

function parseS3Notification(body: Json, out: Collected): void {
  const records = body.Records;
  if (!Array.isArray(records)) fail('wrong-type', `Records: expected an array, got ${describe(records)}`);
  const list = records as unknown[];
  if (list.length === 0) fail('no-records', 'Records is empty');
  if (list.length > MAX_RECORDS_PER_MESSAGE)
    fail('too-many-records', `${list.length} records; at most ${MAX_RECORDS_PER_MESSAGE} per message`);
  list.forEach((record, i) => {
    const path = `Records[${i}].`;
    if (!isObject(record)) fail('wrong-type', `Records[${i}]: expected an object, got ${describe(record)}`);
    const r = record as Json;
    const source = r.eventSource;
    if (source !== undefined && (typeof source !== 'string' || !source.endsWith(':s3')))
      fail('unknown-shape', `${path}eventSource is ${JSON.stringify(source)}, not an S3 event`);
    // MinIO and some tools prefix the name with `s3:`.
    const eventName = stringField(r, 'eventName', path).replace(/^s3:/, '');
    if (!eventName.startsWith('ObjectCreated:')) {
      out.ignored.push(`${path}eventName ${eventName} is not ObjectCreated`);
      return;
    }
    const s3 = objectField(r, 's3', path);
    const bucket = stringField(objectField(s3, 'bucket', `${path}s3.`), 'name', `${path}s3.bucket.`);
    const object = objectField(s3, 'object', `${path}s3.`);
    const key = decodeS3EventKey(stringField(object, 'key', `${path}s3.object.`));
    const sizeBytes = sizeField(object, 'size', `${path}s3.object.`);
    checkSlide(bucket, key, `${path}s3.object.`);
    addSlide(out, { bucket, key, event: eventName, ...(sizeBytes !== undefined ? { sizeBytes } : {}) });
  });
}

function parseEventBridge(body: Json, out: Collected): void {
  const source = body.source;
  if (source !== 'aws.s3')
    fail('unknown-shape', `EventBridge event from ${JSON.stringify(source)}, expected aws.s3`);
  const detailType = stringField(body, 'detail-type', '');
  if (detailType !== 'Object Created') {
    out.ignored.push(`EventBridge detail-type ${detailType} is not Object Created`);
    return;
  }
  const detail = objectField(body, 'detail', '');
  const bucket = stringField(objectField(detail, 'bucket', 'detail.'), 'name', 'detail.bucket.');
  const object = objectField(detail, 'object', 'detail.');
  // EventBridge carries the key as it is, not URL-encoded.
  const key = stringField(object, 'key', 'detail.object.');
  const sizeBytes = sizeField(object, 'size', 'detail.object.');
  checkSlide(bucket, key, 'detail.object.');
  addSlide(out, {
    bucket,
    key,
    event: detailType,
    ...(sizeBytes !== undefined ? { sizeBytes } : {}),
  });
}

const PLAIN_FIELDS = new Set(['bucket', 'key', 'sizeBytes']);

function parsePlain(body: Json, out: Collected): void {
  // Strict: a typo such as "sizebytes" or an unsupported "tier" must not be silently ignored.
  const unknown = Object.keys(body).filter((k) => !PLAIN_FIELDS.has(k));
  if (unknown.length > 0)
    fail(
      'unknown-field',
      `unknown field(s) ${unknown.map((k) => JSON.stringify(k)).join(', ')}; expected bucket, key, sizeBytes`,
    );
  const bucket = stringField(body, 'bucket', '');
  const key = stringField(body, 'key', '');
  const sizeBytes = sizeField(body, 'sizeBytes', '');
  checkSlide(bucket, key, '');
  addSlide(out, { bucket, key, event: 'plain', ...(sizeBytes !== undefined ? { sizeBytes } : {}) }, true);
}

const SNS_TYPES = new Set(['Notification', 'SubscriptionConfirmation', 'UnsubscribeConfirmation']);

const isSnsEnvelope = (body: Json): boolean =>
  typeof body.Type === 'string' && SNS_TYPES.has(body.Type) && ('TopicArn' in body || 'Message' in body);

/** Parses one JSON document that is not an SNS envelope; returns the shape it had. */
function parseInner(body: unknown, out: Collected): Exclude<MessageSource, 'sns'> {
  if (!isObject(body)) return fail('unknown-shape', `expected a JSON object, got ${describe(body)}`);
  if ('Records' in body) {
    parseS3Notification(body, out);
    return 's3';
  }
  if (body.Event === 's3:TestEvent') {
    out.ignored.push(`s3:TestEvent for bucket ${String(body.Bucket)}`);
    return 's3';
  }
  if ('detail-type' in body || ('source' in body && 'detail' in body)) {
    parseEventBridge(body, out);
    return 'eventbridge';
  }
  if ('bucket' in body || 'key' in body) {
    parsePlain(body, out);
    return 'plain';
  }
  return fail(
    'unknown-shape',
    'not an S3 event notification, SNS envelope, EventBridge event or {"bucket", "key"}',
  );
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    return fail('not-json', `${what} is not JSON: ${(err as Error).message.slice(0, 200)}`);
  }
}

/** The slides one SQS message body announces, or why it is rejected. Never throws. */
export function parseMessage(body: string | undefined): ParsedMessage {
  const out: Collected = { records: [], ignored: [] };
  try {
    if (body === undefined || body.trim() === '') fail('empty-body', 'the message body is empty');
    const parsed = parseJson(body as string, 'the message body');
    let source: MessageSource;
    if (isObject(parsed) && isSnsEnvelope(parsed)) {
      source = 'sns';
      if (parsed.Type !== 'Notification') {
        // Cross-account SNS subscriptions must be confirmed by a person visiting SubscribeURL.
        out.ignored.push(
          `SNS ${String(parsed.Type)} for ${String(parsed.TopicArn)}: confirm at ${String(parsed.SubscribeURL)}`,
        );
      } else {
        if (typeof parsed.Message !== 'string')
          fail('bad-sns-envelope', `SNS Message: expected a string, got ${describe(parsed.Message)}`);
        const inner = parseJson(parsed.Message as string, 'the SNS Message');
        if (isObject(inner) && isSnsEnvelope(inner))
          fail('bad-sns-envelope', 'an SNS envelope inside an SNS envelope');
        parseInner(inner, out);
      }
    } else {
      source = parseInner(parsed, out);
    }
    return { ok: true, source, records: out.records, ignored: out.ignored.map(printable) };
  } catch (err) {
    if (err instanceof Reject)
      return { ok: false, rejection: { ...err.rejection, detail: printable(err.rejection.detail) } };
    // Anything else is a bug here, but a message must still never crash the bridge.
    return {
      ok: false,
      rejection: { code: 'unknown-shape', detail: printable(`unparseable: ${String(err)}`) },
    };
  }
}
