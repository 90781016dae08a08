import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { whenPaused } from '../../../src/widgets/scenario/lab-storage';

describe('whenPaused: the typed line is written after a pause, or at once when the page goes', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it('writes once the pause has passed, and not before', () => {
    const write = vi.fn();
    whenPaused(write, 300);
    vi.advanceTimersByTime(299);
    expect(write).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(write).toHaveBeenCalledTimes(1);
  });

  it('waits for an idle period where the browser has one', () => {
    const idle: (() => void)[] = [];
    vi.stubGlobal('requestIdleCallback', (callback: () => void) => idle.push(callback));
    vi.stubGlobal('cancelIdleCallback', () => undefined);
    const write = vi.fn();
    whenPaused(write, 300);
    vi.advanceTimersByTime(300);
    expect(write).not.toHaveBeenCalled();
    idle[0]?.();
    expect(write).toHaveBeenCalledTimes(1);
  });

  it('writes at once on flush (the page is going away), and only once', () => {
    const write = vi.fn();
    const pending = whenPaused(write, 300);
    pending.flush();
    expect(write).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(1000);
    pending.flush();
    expect(write).toHaveBeenCalledTimes(1);
  });

  it('drops the write when a newer keystroke cancels it', () => {
    const write = vi.fn();
    whenPaused(write, 300).cancel();
    vi.advanceTimersByTime(1000);
    expect(write).not.toHaveBeenCalled();
  });
});
