import { describe, expect, test } from 'vitest';
import { Fifo } from '../../steps/lib/core/fifo.ts';

describe('Fifo', () => {
  test('gives items back in the order they were pushed, and undefined when empty', () => {
    const queue = new Fifo<string>();
    expect(queue.take()).toBeUndefined();
    queue.push('a');
    queue.push('b');
    expect(queue.length).toBe(2);
    expect(queue.take()).toBe('a');
    queue.push('c');
    expect([queue.take(), queue.take(), queue.take()]).toEqual(['b', 'c', undefined]);
    expect(queue.length).toBe(0);
  });

  test('keeps the order across its compactions while items keep arriving (a long backlog)', () => {
    const queue = new Fifo<number>();
    const taken: number[] = [];
    let next = 0;
    // Push three, take two, 5,000 times: the backlog grows to 5,000 and compacts many times on the way.
    for (let round = 0; round < 5_000; round += 1) {
      for (let i = 0; i < 3; i += 1) queue.push(next++);
      taken.push(queue.take() as number, queue.take() as number);
    }
    expect(queue.length).toBe(5_000);
    while (queue.length > 0) taken.push(queue.take() as number);
    expect(taken).toEqual(Array.from({ length: 15_000 }, (_, i) => i));
  });

  test('clear() empties it', () => {
    const queue = new Fifo<number>();
    for (let i = 0; i < 2_000; i += 1) queue.push(i);
    for (let i = 0; i < 1_500; i += 1) queue.take();
    queue.clear();
    expect(queue.length).toBe(0);
    expect(queue.take()).toBeUndefined();
    queue.push(7);
    expect(queue.take()).toBe(7);
  });
});
