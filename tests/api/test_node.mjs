// test_node.mjs — @aws-sdk/client-kinesis (JS v3) with its DEFAULT client against a running sluice.
//
// usage: SLUICE_ENDPOINT=http://127.0.0.1:PORT node --test tests/api/test_node.mjs
//        (normally run by ctest through with_server.py; needs `npm ci` in tests/api)
//
// The default Node client uses NodeHttp2Handler for every operation, i.e. HTTP/2 with prior
// knowledge (h2c) on an http:// endpoint (spec/kinesis-api.md section 0 item 2): nothing here
// overrides the request handler, so this test fails unless the server speaks h2c.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  KinesisClient,
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  PutRecordCommand,
  PutRecordsCommand,
  ListShardsCommand,
  GetShardIteratorCommand,
  GetRecordsCommand,
  DeleteStreamCommand,
  RegisterStreamConsumerCommand,
  DescribeStreamConsumerCommand,
  SubscribeToShardCommand,
  ResourceNotFoundException,
  waitUntilStreamExists,
  waitUntilStreamNotExists,
} from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';

const endpoint = process.env.SLUICE_ENDPOINT;
const ACCT = '000000000000';

function client(extra = {}) {
  return new KinesisClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
    ...extra,
  });
}

test('JS v3 default client (h2c): create, wait ACTIVE, put, iterate, get, delete', { skip: !endpoint, timeout: 120000 }, async () => {
  const k = client();
  try {
    const name = 'js-smoke';
    const created = await k.send(new CreateStreamCommand({ StreamName: name, ShardCount: 1 }));
    assert.equal(created.$metadata.httpStatusCode, 200);

    const w = await waitUntilStreamExists({ client: k, maxWaitTime: 30, minDelay: 1, maxDelay: 1 }, { StreamName: name });
    assert.equal(w.state, 'SUCCESS');
    const sum = (await k.send(new DescribeStreamSummaryCommand({ StreamName: name }))).StreamDescriptionSummary;
    assert.equal(sum.StreamStatus, 'ACTIVE');
    assert.equal(sum.StreamName, name);
    assert.equal(sum.StreamARN, `arn:aws:kinesis:us-east-1:${ACCT}:stream/${name}`);
    assert.equal(sum.OpenShardCount, 1);
    assert.equal(sum.RetentionPeriodHours, 24);
    assert.ok(sum.StreamCreationTimestamp instanceof Date);

    const enc = new TextEncoder();
    const one = await k.send(new PutRecordCommand({ StreamName: name, PartitionKey: 'p1', Data: enc.encode('hello from js v3') }));
    assert.equal(one.ShardId, 'shardId-000000000000');
    assert.match(one.SequenceNumber, /^(0|[1-9][0-9]{0,128})$/);

    const binary = new Uint8Array([0, 1, 2, 253, 254, 255]);
    const many = await k.send(new PutRecordsCommand({
      StreamName: name,
      Records: [
        { PartitionKey: 'k0', Data: enc.encode('js0') },
        { PartitionKey: 'k1', Data: binary },
        { PartitionKey: 'k2', Data: new Uint8Array(0) },
      ],
    }));
    assert.equal(many.FailedRecordCount, 0);
    assert.deepEqual(many.Records.map((r) => r.ShardId), Array(3).fill('shardId-000000000000'));

    const shards = (await k.send(new ListShardsCommand({ StreamName: name }))).Shards;
    assert.deepEqual(shards.map((s) => s.ShardId), ['shardId-000000000000']);
    assert.deepEqual(shards[0].HashKeyRange, { StartingHashKey: '0', EndingHashKey: '340282366920938463463374607431768211455' });

    const it = (await k.send(new GetShardIteratorCommand({ StreamName: name, ShardId: 'shardId-000000000000', ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
    assert.ok(it.length >= 1 && it.length <= 512);
    const got = await k.send(new GetRecordsCommand({ ShardIterator: it, Limit: 10 }));
    const dec = new TextDecoder();
    assert.deepEqual(got.Records.map((r) => r.PartitionKey), ['p1', 'k0', 'k1', 'k2']);
    assert.equal(dec.decode(got.Records[0].Data), 'hello from js v3');
    assert.equal(dec.decode(got.Records[1].Data), 'js0');
    assert.deepEqual(Array.from(got.Records[2].Data), [0, 1, 2, 253, 254, 255]);
    assert.equal(got.Records[3].Data.length, 0);
    assert.deepEqual(got.Records.map((r) => r.SequenceNumber), [one.SequenceNumber, ...many.Records.map((r) => r.SequenceNumber)]);
    assert.ok(got.Records[0].ApproximateArrivalTimestamp instanceof Date);
    assert.equal(got.MillisBehindLatest, 0);
    assert.equal(typeof got.NextShardIterator, 'string');

    await assert.rejects(k.send(new DescribeStreamSummaryCommand({ StreamName: 'nope' })), (e) => {
      assert.ok(e instanceof ResourceNotFoundException);
      assert.equal(e.name, 'ResourceNotFoundException');
      assert.equal(e.message, `Stream nope under account ${ACCT} not found.`);
      assert.equal(e.$metadata.httpStatusCode, 400);
      return true;
    });

    const del = await k.send(new DeleteStreamCommand({ StreamName: name }));
    assert.equal(del.$metadata.httpStatusCode, 200);
    const gone = await waitUntilStreamNotExists({ client: k, maxWaitTime: 30, minDelay: 1, maxDelay: 1 }, { StreamName: name });
    assert.equal(gone.state, 'SUCCESS');
  } finally {
    k.destroy();
  }
});

test('JS v3 default client (h2c): SubscribeToShard receives records put after subscribing', { skip: !endpoint, timeout: 60000 }, async () => {
  const k = client();
  const producer = client();
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), 30000);
  try {
    const name = 'js-efo';
    await k.send(new CreateStreamCommand({ StreamName: name, ShardCount: 1 }));
    await waitUntilStreamExists({ client: k, maxWaitTime: 30, minDelay: 1, maxDelay: 1 }, { StreamName: name });
    const arn = (await k.send(new DescribeStreamSummaryCommand({ StreamName: name }))).StreamDescriptionSummary.StreamARN;
    const consumer = (await k.send(new RegisterStreamConsumerCommand({ StreamARN: arn, ConsumerName: 'js' }))).Consumer;
    assert.match(consumer.ConsumerARN, new RegExp(`^${arn}/consumer/js:[0-9]+$`));
    for (let i = 0; i < 300; i++) {
      const d = await k.send(new DescribeStreamConsumerCommand({ ConsumerARN: consumer.ConsumerARN }));
      if (d.ConsumerDescription.ConsumerStatus === 'ACTIVE') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const sub = await k.send(new SubscribeToShardCommand({
      ConsumerARN: consumer.ConsumerARN, ShardId: 'shardId-000000000000', StartingPosition: { Type: 'LATEST' },
    }), { abortSignal: abort.signal });
    const enc = new TextEncoder();
    const sent = ['efo-0', 'efo-1', 'efo-2'];
    const seqs = [];
    const putting = (async () => {
      await new Promise((r) => setTimeout(r, 300));
      for (const d of sent) {
        seqs.push((await producer.send(new PutRecordCommand({ StreamName: name, PartitionKey: 'pk', Data: enc.encode(d) }))).SequenceNumber);
      }
    })();
    const got = [];
    let events = 0;
    for await (const ev of sub.EventStream) {
      events++;
      assert.ok(ev.SubscribeToShardEvent, `unexpected event ${JSON.stringify(Object.keys(ev))}`);
      got.push(...ev.SubscribeToShardEvent.Records);
      if (got.length >= sent.length || events > 200) break;
    }
    await putting;
    const dec = new TextDecoder();
    assert.deepEqual(got.map((r) => dec.decode(r.Data)), sent);
    assert.deepEqual(got.map((r) => r.SequenceNumber), seqs);
    await k.send(new DeleteStreamCommand({ StreamName: name, EnforceConsumerDeletion: true }));
  } finally {
    clearTimeout(timer);
    abort.abort();
    k.destroy();
    producer.destroy();
  }
});

// The documented workaround for HTTP/1.1-only servers (spec section 7): the same client forced to
// HTTP/1.1 with keep-alive must work too.
test('JS v3 client with NodeHttpHandler (HTTP/1.1): put and get', { skip: !endpoint, timeout: 60000 }, async () => {
  const k = client({ requestHandler: new NodeHttpHandler() });
  try {
    const name = 'js-h1';
    await k.send(new CreateStreamCommand({ StreamName: name, ShardCount: 2 }));
    await waitUntilStreamExists({ client: k, maxWaitTime: 30, minDelay: 1, maxDelay: 1 }, { StreamName: name });
    const enc = new TextEncoder();
    // md5('a') < 2^127 -> shardId-000000000000 of 2 shards
    const put = await k.send(new PutRecordCommand({ StreamName: name, PartitionKey: 'a', Data: enc.encode('over http/1.1') }));
    assert.equal(put.ShardId, 'shardId-000000000000');
    const it = (await k.send(new GetShardIteratorCommand({
      StreamName: name, ShardId: put.ShardId, ShardIteratorType: 'AT_SEQUENCE_NUMBER', StartingSequenceNumber: put.SequenceNumber,
    }))).ShardIterator;
    const got = await k.send(new GetRecordsCommand({ ShardIterator: it }));
    assert.deepEqual(got.Records.map((r) => new TextDecoder().decode(r.Data)), ['over http/1.1']);
    await k.send(new DeleteStreamCommand({ StreamName: name }));
  } finally {
    k.destroy();
  }
});
