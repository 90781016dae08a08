// Goal: a worker the page's script starts ahead of the island is handed to the island's first
// client once, and only once; every other worker (none started ahead, a replaced one) is a new one.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { prestartLabWorker, takeLabWorker } from '../../../src/widgets/scenario/lab-prestart';

/** Stands in for the browser's Worker: records the options each one was created with. */
class FakeWorker {
  static created: FakeWorker[] = [];
  constructor(
    readonly url: URL,
    readonly options: WorkerOptions,
  ) {
    FakeWorker.created.push(this);
  }
}

beforeEach(() => {
  FakeWorker.created = [];
  vi.stubGlobal('Worker', FakeWorker);
});
afterEach(() => {
  vi.unstubAllGlobals();
});

describe('lab-prestart: handing a worker started ahead to the island', () => {
  const cases: { name: string; prestart: string[]; take: string[]; created: number; ahead: boolean[] }[] = [
    {
      name: 'no worker started ahead: the island creates one',
      prestart: [],
      take: ['a'],
      created: 1,
      ahead: [false],
    },
    {
      name: 'started ahead: the island takes that worker',
      prestart: ['a'],
      take: ['a'],
      created: 1,
      ahead: [true],
    },
    { name: 'started twice ahead: one worker', prestart: ['a', 'a'], take: ['a'], created: 1, ahead: [true] },
    {
      name: 'taken twice (the worker replaced): the second is new',
      prestart: ['a'],
      take: ['a', 'a'],
      created: 2,
      ahead: [true, false],
    },
    {
      name: 'another scenario started ahead: not handed over',
      prestart: ['b'],
      take: ['a'],
      created: 2,
      ahead: [false],
    },
  ];
  for (const { name, prestart, take, created, ahead } of cases)
    it(name, () => {
      // Each row uses its own scenario ids so no worker is left over from another row.
      const id = (scenario: string) => `${name}:${scenario}`;
      prestart.forEach((scenario) => prestartLabWorker(id(scenario)));
      const startedAhead = [...FakeWorker.created];
      const taken = take.map((scenario) => takeLabWorker(id(scenario)));
      expect(FakeWorker.created).toHaveLength(created);
      expect(taken.map((worker) => startedAhead.includes(worker as unknown as FakeWorker))).toEqual(ahead);
      expect(FakeWorker.created.map((worker) => worker.options)).toEqual(
        FakeWorker.created.map((worker) => ({ type: 'module', name: worker.options.name })),
      );
      // Leave nothing started ahead for the next row.
      prestart.forEach((scenario) => takeLabWorker(id(scenario)));
    });
});
