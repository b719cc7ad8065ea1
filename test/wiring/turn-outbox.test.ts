import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
import { postBatch } from '../../src/wiring/sip-thread/turn-outbox.ts';

test("an item that cannot cross threads is replaced by its stand-in, or left out; the batch's others still go", () => {
  const { port1, port2 } = new MessageChannel();
  try {
    const items: unknown[] = [{ n: 1 }, { n: 2, callback: () => 2 }, { n: 3 }, { n: 4, callback: () => 4 }];
    postBatch(port1, items, (item, error) => {
      const { n } = item as { n: number };
      return n === 2 ? { n, standIn: (error as Error).name } : undefined;
    });
    const received: unknown[] = [];
    for (let message = receiveMessageOnPort(port2); message; message = receiveMessageOnPort(port2))
      received.push(message.message);
    assert.deepEqual(received, [[{ n: 1 }], [{ n: 2, standIn: 'DataCloneError' }], [{ n: 3 }]]);
  } finally {
    port1.close();
  }
});

test('a batch that crosses goes as one message', () => {
  const { port1, port2 } = new MessageChannel();
  try {
    postBatch(port1, [{ n: 1 }, { n: 2 }], () => assert.fail('no stand-in needed'));
    assert.deepEqual(receiveMessageOnPort(port2)?.message, [{ n: 1 }, { n: 2 }]);
    assert.equal(receiveMessageOnPort(port2), undefined);
  } finally {
    port1.close();
  }
});
