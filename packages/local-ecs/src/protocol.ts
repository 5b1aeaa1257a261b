// ECS's JSON 1.1 wire protocol: `POST /` with `X-Amz-Target: <prefix>.<Action>`, a JSON
// object body, and errors as `{"__type": "...", "message": "..."}`. The AWS SDK reads
// `__type` (dropping any `namespace#` prefix) and raises the modelled exception class of that
// name when the service model has one (ClientException, ClusterNotFoundException,
// ConflictException...), else an ECSServiceException whose `name` is the type
// (ThrottlingException, SerializationException, UnknownOperationException).

export const TARGET_PREFIX = 'AmazonEC2ContainerServiceV20141113';
export const JSON_CONTENT_TYPE = 'application/x-amz-json-1.1';

export type EcsErrorType =
  | 'AccessDeniedException'
  | 'ClientException'
  | 'ClusterNotFoundException'
  | 'ConflictException'
  | 'InvalidParameterException'
  | 'SerializationException'
  | 'ServerException'
  | 'ServiceNotFoundException'
  | 'ThrottlingException'
  | 'UnknownOperationException';

/** An error ECS would send; `status` is 400 for client faults and 500 for ServerException. */
export class EcsError extends Error {
  override readonly name = 'EcsError';
  readonly status: number;

  constructor(
    readonly type: EcsErrorType,
    message: string,
    status?: number,
  ) {
    super(message);
    this.status = status ?? (type === 'ServerException' ? 500 : 400);
  }

  toBody(): { __type: EcsErrorType; message: string } {
    return { __type: this.type, message: this.message };
  }
}

export const clientError = (message: string): EcsError => new EcsError('ClientException', message);
export const invalidParameter = (message: string): EcsError =>
  new EcsError('InvalidParameterException', message);
export const clusterNotFound = (): EcsError => new EcsError('ClusterNotFoundException', 'Cluster not found.');
/** ECS's own wording for every throttled call. */
export const throttled = (): EcsError => new EcsError('ThrottlingException', 'Rate exceeded');

export type JsonObject = Record<string, unknown>;

/** The action named by an `X-Amz-Target` header, or UnknownOperationException. */
export function actionFromTarget(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  const dot = value?.lastIndexOf('.') ?? -1;
  if (value === undefined || dot < 0 || value.slice(0, dot) !== TARGET_PREFIX) {
    throw new EcsError('UnknownOperationException', `Unknown operation ${JSON.stringify(value ?? '')}`);
  }
  return value.slice(dot + 1);
}

/** Requires the JSON 1.1 media type the SDK sends; real ECS does not read other encodings. */
export function checkContentType(header: string | undefined): void {
  const type = (header ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== JSON_CONTENT_TYPE) {
    throw new EcsError(
      'SerializationException',
      `Content-Type must be ${JSON_CONTENT_TYPE}, got ${JSON.stringify(header ?? '')}`,
    );
  }
}

/** Parses a request body; an empty body is an empty input, like the SDK's `{}` for no members. */
export function parseJsonBody(raw: string): JsonObject {
  if (raw.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new EcsError('SerializationException', 'Request body is not valid JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new EcsError('SerializationException', 'Request body must be a JSON object');
  }
  return value as JsonObject;
}

/** Epoch seconds with millisecond precision: how the JSON protocol sends timestamps. */
export function epochSeconds(ms: number): number {
  return Math.round(ms) / 1000;
}
