// The parser on its own: every message shape the bridge accepts, and every bad input with the
// reason it is rejected for.
import {
  decodeS3EventKey,
  MAX_RECORDS_PER_MESSAGE,
  parseMessage,
  type ParsedMessage,
  type RejectCode,
} from '../../src/bridge/parse-message';
import {
  eventBridgeEvent,
  plain,
  s3EncodeKey,
  s3Event,
  s3Record,
  s3TestEvent,
  snsEnvelope,
} from './messages';

const B = 'wsi-slides';

function accepted(parsed: ParsedMessage) {
  if (!parsed.ok) throw new Error(`rejected: ${parsed.rejection.code}: ${parsed.rejection.detail}`);
  return parsed;
}

function rejected(parsed: ParsedMessage) {
  if (parsed.ok) throw new Error(`accepted: ${JSON.stringify(parsed)}`);
  return parsed.rejection;
}

describe('message shapes', () => {
  test('an S3 event notification sent straight to SQS', () => {
    const p = accepted(parseMessage(s3Event({ bucket: B, encodedKey: 'incoming/a.svs', size: 1234 })));
    expect(p.source).toBe('s3');
    expect(p.records).toEqual([
      { bucket: B, key: 'incoming/a.svs', sizeBytes: 1234, event: 'ObjectCreated:Put' },
    ]);
    expect(p.ignored).toEqual([]);
  });

  test('every ObjectCreated variant starts a slide; size is optional', () => {
    for (const eventName of [
      'ObjectCreated:Put',
      'ObjectCreated:Post',
      'ObjectCreated:Copy',
      'ObjectCreated:CompleteMultipartUpload',
    ]) {
      const p = accepted(parseMessage(s3Event({ bucket: B, encodedKey: 'x.svs', eventName })));
      expect(p.records).toEqual([{ bucket: B, key: 'x.svs', event: eventName }]);
    }
  });

  test('a message with several records gives each slide once', () => {
    const p = accepted(
      parseMessage(
        s3Event(
          { bucket: B, encodedKey: 'a.svs', size: 1 },
          { bucket: B, encodedKey: 'b.svs', size: 2 },
          { bucket: B, encodedKey: 'old.svs', eventName: 'ObjectRemoved:Delete' },
          { bucket: B, encodedKey: 'a.svs', size: 1 },
          { bucket: 'other-bucket', encodedKey: 'a.svs' },
        ),
      ),
    );
    expect(p.records.map((r) => `${r.bucket}/${r.key}`)).toEqual([
      `${B}/a.svs`,
      `${B}/b.svs`,
      'other-bucket/a.svs',
    ]);
    expect(p.ignored).toEqual(['Records[2].eventName ObjectRemoved:Delete is not ObjectCreated']);
  });

  test('URL-encoded keys are decoded: + is a space, %XX is UTF-8', () => {
    const cases: [string, string][] = [
      ['incoming/my+slide+1.svs', 'incoming/my slide 1.svs'],
      ['M%C3%BCller/Schnitt+%C3%BC.svs', 'Müller/Schnitt ü.svs'],
      ['c%2B%2B/a%2Bb.svs', 'c++/a+b.svs'],
      ['dir%2Fsub%2Fx.svs', 'dir/sub/x.svs'],
      ['100%25+done%3F.svs', '100% done?.svs'],
      ['%E6%97%A5%E6%9C%AC.svs', '日本.svs'],
    ];
    for (const [encoded, key] of cases) {
      expect(decodeS3EventKey(encoded)).toBe(key);
      expect(accepted(parseMessage(s3Event({ bucket: B, encodedKey: encoded }))).records[0]?.key).toBe(key);
    }
    // Round trip with the encoder the tests use for S3-shaped events.
    const key = 'a b/ü+ü/%/[x] (1).svs';
    expect(accepted(parseMessage(s3Event({ bucket: B, encodedKey: s3EncodeKey(key) }))).records[0]?.key).toBe(
      key,
    );
  });

  test('the s3:TestEvent is acknowledged and ignored', () => {
    const p = accepted(parseMessage(s3TestEvent(B)));
    expect(p.records).toEqual([]);
    expect(p.ignored).toEqual([`s3:TestEvent for bucket ${B}`]);
  });

  test('ObjectRemoved, restore and tagging events are ignored with a reason', () => {
    for (const eventName of [
      'ObjectRemoved:Delete',
      'ObjectRestore:Completed',
      'ObjectTagging:Put',
      'LifecycleExpiration:Delete',
    ]) {
      const p = accepted(parseMessage(s3Event({ bucket: B, encodedKey: 'x.svs', eventName })));
      expect(p.records).toEqual([]);
      expect(p.ignored[0]).toContain(`${eventName} is not ObjectCreated`);
    }
  });

  test('the s3: prefix some tools put on event names is accepted', () => {
    const p = accepted(
      parseMessage(s3Event({ bucket: B, encodedKey: 'x.svs', eventName: 's3:ObjectCreated:Put' })),
    );
    expect(p.records).toHaveLength(1);
  });

  test('a folder marker (key ending in /) is ignored', () => {
    const p = accepted(parseMessage(s3Event({ bucket: B, encodedKey: 'incoming/', size: 0 })));
    expect(p.records).toEqual([]);
    expect(p.ignored[0]).toContain('folder marker');
  });

  test("an uploaded DICOM series' .dcm files announce their folder's slide once, without a size", () => {
    const p = accepted(
      parseMessage(
        s3Event(
          { bucket: B, encodedKey: 'incoming/case+7/level-0.dcm', size: 900 },
          { bucket: B, encodedKey: 'incoming/case+7/LEVEL-1.DCM', size: 300 },
          { bucket: B, encodedKey: 'root.dcm', size: 5 },
        ),
      ),
    );
    expect(p.records).toEqual([
      { bucket: B, key: 'incoming/case 7/', event: 'ObjectCreated:Put' },
      { bucket: B, key: 'root.dcm', sizeBytes: 5, event: 'ObjectCreated:Put' },
    ]);
  });

  test("an MRXS slide's data files start nothing: its .mrxs does", () => {
    const p = accepted(
      parseMessage(
        s3Event(
          { bucket: B, encodedKey: 'incoming/s/Slidedat.ini', size: 9 },
          { bucket: B, encodedKey: 'incoming/s/Data0001.dat', size: 900 },
          { bucket: B, encodedKey: 'incoming/s.mrxs', size: 5 },
        ),
      ),
    );
    expect(p.records).toEqual([
      { bucket: B, key: 'incoming/s.mrxs', sizeBytes: 5, event: 'ObjectCreated:Put' },
    ]);
    expect(p.ignored).toEqual([
      expect.stringContaining(
        "s3://wsi-slides/incoming/s/Slidedat.ini is part of an MRXS slide's data folder",
      ),
      expect.stringContaining('incoming/s/Data0001.dat is part of an MRXS slide'),
    ]);
  });

  test('a plain message may name a folder slide on purpose', () => {
    const p = accepted(parseMessage(plain(B, 'dicom/case 8/')));
    expect(p.records).toEqual([{ bucket: B, key: 'dicom/case 8/', event: 'plain' }]);
    expect(p.ignored).toEqual([]);
  });

  test('SNS without raw delivery: the S3 event inside the envelope', () => {
    const p = accepted(
      parseMessage(snsEnvelope(s3Event({ bucket: B, encodedKey: 'sns/my+slide.svs', size: 7 }))),
    );
    expect(p.source).toBe('sns');
    expect(p.records).toEqual([
      { bucket: B, key: 'sns/my slide.svs', sizeBytes: 7, event: 'ObjectCreated:Put' },
    ]);
  });

  test('SNS with raw delivery: the bare S3 event, like direct delivery', () => {
    const p = accepted(parseMessage(s3Event({ bucket: B, encodedKey: 'raw/a%C3%BC.svs' })));
    expect(p.records[0]?.key).toBe('raw/aü.svs');
  });

  test('SNS carrying the test event, or a subscription confirmation, is ignored', () => {
    const test = accepted(parseMessage(snsEnvelope(s3TestEvent(B))));
    expect(test.records).toEqual([]);
    expect(test.ignored[0]).toContain('s3:TestEvent');
    const confirm = accepted(
      parseMessage(
        JSON.stringify({
          Type: 'SubscriptionConfirmation',
          TopicArn: 'arn:aws:sns:us-east-1:123456789012:wsi-uploads',
          Message: 'You have chosen to subscribe...',
          SubscribeURL: 'https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription',
        }),
      ),
    );
    expect(confirm.records).toEqual([]);
    expect(confirm.ignored[0]).toContain('ConfirmSubscription');
  });

  test('EventBridge Object Created: the key is used as it is (not URL-decoded)', () => {
    const p = accepted(parseMessage(eventBridgeEvent(B, 'eb/my slide+1 100%.svs', 99)));
    expect(p.source).toBe('eventbridge');
    expect(p.records).toEqual([
      { bucket: B, key: 'eb/my slide+1 100%.svs', sizeBytes: 99, event: 'Object Created' },
    ]);
  });

  test('EventBridge events other than Object Created are ignored', () => {
    const p = accepted(parseMessage(eventBridgeEvent(B, 'x.svs', undefined, 'Object Deleted')));
    expect(p.records).toEqual([]);
    expect(p.ignored[0]).toContain('Object Deleted is not Object Created');
  });

  test('EventBridge inside SNS', () => {
    const p = accepted(parseMessage(snsEnvelope(eventBridgeEvent(B, 'a b.svs'))));
    expect(p.records[0]?.key).toBe('a b.svs');
  });

  test('plain {bucket, key} with an optional sizeBytes', () => {
    expect(accepted(parseMessage(plain(B, 'p/a b.svs'))).records).toEqual([
      { bucket: B, key: 'p/a b.svs', event: 'plain' },
    ]);
    const p = accepted(parseMessage(plain(B, 'p/x.svs', 5_000_000_000)));
    expect(p.source).toBe('plain');
    expect(p.records[0]?.sizeBytes).toBe(5_000_000_000);
  });

  test('a key of exactly 1024 bytes is accepted', () => {
    expect(accepted(parseMessage(plain(B, 'a'.repeat(1024)))).records).toHaveLength(1);
    expect(
      accepted(parseMessage(s3Event({ bucket: B, encodedKey: '%C3%BC'.repeat(512) }))).records,
    ).toHaveLength(1);
  });
});

describe('bad input: rejected with a reason, never thrown', () => {
  const cases: [string, string | undefined, RejectCode, string?][] = [
    ['an empty body', '', 'empty-body'],
    ['no body', undefined, 'empty-body'],
    ['not JSON', 'hello, world', 'not-json'],
    ['truncated JSON', '{"Records": [', 'not-json'],
    ['a JSON array', '[1, 2]', 'unknown-shape', 'an array'],
    ['a JSON string', '"s3://b/k"', 'unknown-shape'],
    ['JSON null', 'null', 'unknown-shape'],
    ['an unrelated object', '{"hello": "world"}', 'unknown-shape'],
    ['Records not an array', '{"Records": {"s3": {}}}', 'wrong-type', 'Records'],
    ['Records empty', '{"Records": []}', 'no-records'],
    ['a record that is not an object', '{"Records": [42]}', 'wrong-type', 'Records[0]'],
    [
      'a record without eventName',
      JSON.stringify({ Records: [{ s3: s3Record({ bucket: B, encodedKey: 'k' }).s3 }] }),
      'missing-field',
      'Records[0].eventName',
    ],
    [
      'a record without s3',
      JSON.stringify({ Records: [{ eventSource: 'aws:s3', eventName: 'ObjectCreated:Put' }] }),
      'missing-field',
      'Records[0].s3',
    ],
    [
      'a record without the object key',
      JSON.stringify({
        Records: [{ eventName: 'ObjectCreated:Put', s3: { bucket: { name: B }, object: { size: 1 } } }],
      }),
      'missing-field',
      'Records[0].s3.object.key',
    ],
    [
      'a bucket name that is a number',
      JSON.stringify({
        Records: [{ eventName: 'ObjectCreated:Put', s3: { bucket: { name: 7 }, object: { key: 'k' } } }],
      }),
      'wrong-type',
      'Records[0].s3.bucket.name',
    ],
    ['a size that is a string', s3Event({ bucket: B, encodedKey: 'k', size: '12' }), 'wrong-type', 'size'],
    ['a negative size', s3Event({ bucket: B, encodedKey: 'k', size: -1 }), 'wrong-type', 'size'],
    ['a fractional size', s3Event({ bucket: B, encodedKey: 'k', size: 1.5 }), 'wrong-type', 'size'],
    [
      'a record from another service',
      JSON.stringify({
        Records: [{ ...s3Record({ bucket: B, encodedKey: 'k' }), eventSource: 'aws:dynamodb' }],
      }),
      'unknown-shape',
      'eventSource',
    ],
    [
      'a key over 1024 bytes after decoding',
      s3Event({ bucket: B, encodedKey: '%C3%BC'.repeat(513) }),
      'key-too-long',
      '1026 bytes',
    ],
    ['a plain key over 1024 bytes', plain(B, 'k'.repeat(1025)), 'key-too-long'],
    ['a NUL in the key', s3Event({ bucket: B, encodedKey: 'a%00b.svs' }), 'key-control-characters'],
    ['a newline in the key', s3Event({ bucket: B, encodedKey: 'a%0Ab.svs' }), 'key-control-characters'],
    ['a tab in the key', s3Event({ bucket: B, encodedKey: 'a%09b.svs' }), 'key-control-characters'],
    ['DEL in the key', s3Event({ bucket: B, encodedKey: 'a%7Fb.svs' }), 'key-control-characters'],
    ['a C1 control in the key', s3Event({ bucket: B, encodedKey: 'a%C2%85b.svs' }), 'key-control-characters'],
    ['a control character in a plain key', plain(B, 'a\u0007b'), 'key-control-characters'],
    ['a control character in an EventBridge key', eventBridgeEvent(B, 'a\u001bb'), 'key-control-characters'],
    ['a bad percent escape', s3Event({ bucket: B, encodedKey: 'a%ZZb.svs' }), 'bad-percent-encoding'],
    [
      'a truncated percent escape',
      s3Event({ bucket: B, encodedKey: 'a%E0%A4%A.svs' }),
      'bad-percent-encoding',
    ],
    ['a lone UTF-8 lead byte', s3Event({ bucket: B, encodedKey: 'a%C3.svs' }), 'bad-percent-encoding'],
    ['a trailing %', s3Event({ bucket: B, encodedKey: '100%' }), 'bad-percent-encoding'],
    ['a lone surrogate', '{"bucket": "wsi-slides", "key": "a\\ud800b"}', 'key-invalid-unicode'],
    ['an empty key', plain(B, ''), 'empty-key'],
    ['a bucket with a slash', plain('a/b', 'k'), 'bad-bucket'],
    ['an empty bucket', plain('', 'k'), 'bad-bucket'],
    ['plain without key', '{"bucket": "wsi-slides"}', 'missing-field', 'key'],
    ['plain without bucket', '{"key": "k"}', 'missing-field', 'bucket'],
    ['plain with a numeric key', '{"bucket": "wsi-slides", "key": 42}', 'wrong-type', 'key'],
    [
      'plain with sizeBytes as a string',
      '{"bucket": "wsi-slides", "key": "k", "sizeBytes": "1"}',
      'wrong-type',
      'sizeBytes',
    ],
    [
      'plain with an unknown field',
      '{"bucket": "wsi-slides", "key": "k", "tier": "large"}',
      'unknown-field',
      '"tier"',
    ],
    [
      'SNS with a non-string Message',
      JSON.stringify({ Type: 'Notification', TopicArn: 'arn', Message: { a: 1 } }),
      'bad-sns-envelope',
    ],
    ['SNS with a Message that is not JSON', snsEnvelope('not json'), 'not-json', 'SNS Message'],
    ['SNS inside SNS', snsEnvelope(snsEnvelope(s3TestEvent(B))), 'bad-sns-envelope'],
    [
      'EventBridge from another source',
      JSON.stringify({ source: 'aws.ec2', 'detail-type': 'x', detail: {} }),
      'unknown-shape',
      'aws.ec2',
    ],
    [
      'EventBridge without detail.object',
      JSON.stringify({ source: 'aws.s3', 'detail-type': 'Object Created', detail: { bucket: { name: B } } }),
      'missing-field',
      'detail.object',
    ],
  ];

  // Every row padded to four values: jest passes a `done` callback in place of missing ones.
  test.each(cases.map(([name, body, code, detail]) => [name, body, code, detail ?? ''] as const))(
    '%s',
    (_name, body, code, detail) => {
      const r = rejected(parseMessage(body));
      expect(r.code).toBe(code);
      if (detail) expect(r.detail).toContain(detail);
    },
  );

  test(`more than ${MAX_RECORDS_PER_MESSAGE} records`, () => {
    const records = Array.from({ length: MAX_RECORDS_PER_MESSAGE + 1 }, (_, i) => ({
      bucket: B,
      encodedKey: `k${i}`,
    }));
    expect(rejected(parseMessage(s3Event(...records))).code).toBe('too-many-records');
  });

  test('one bad record rejects the whole message: nothing of it starts', () => {
    const r = rejected(
      parseMessage(s3Event({ bucket: B, encodedKey: 'good.svs' }, { bucket: B, encodedKey: 'bad%ZZ.svs' })),
    );
    expect(r.code).toBe('bad-percent-encoding');
  });

  test('reasons never carry control characters (no forged log lines)', () => {
    const r = rejected(parseMessage('{"x": 1}\n\u0000bridge: fake line'));
    expect(r.code).toBe('not-json');
    expect(r.detail).not.toMatch(/[\p{Cc}]/u);
  });

  test('deep nesting and huge inputs do not throw', () => {
    expect(rejected(parseMessage('['.repeat(100_000))).code).toBe('not-json');
    expect(rejected(parseMessage(`{"Records": ${'['.repeat(50_000)}${']'.repeat(50_000)}}`)).code).toBe(
      'wrong-type',
    );
  });
});
