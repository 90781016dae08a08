// Goal: nothing of a lab starts before the reader first scrolls, touches, clicks or types; a page
// opened already scrolled (at an anchor) starts at once; and it starts once.
import { describe, expect, it, vi } from 'vitest';
import { afterFirstInteraction } from '../../../src/widgets/scenario/first-interaction';

describe('first-interaction: nothing starts before the reader interacts', () => {
  it('starts on the first scroll, touch, click or key press, and only once', () => {
    for (const type of ['scroll', 'wheel', 'touchstart', 'pointerdown', 'keydown']) {
      const page = new EventTarget();
      const start = vi.fn();
      afterFirstInteraction(page, false, start);
      expect(start).not.toHaveBeenCalled();
      page.dispatchEvent(new Event(type));
      page.dispatchEvent(new Event('scroll'));
      page.dispatchEvent(new Event('keydown'));
      expect(start, type).toHaveBeenCalledTimes(1);
    }
  });

  it('ignores what is not the reader acting (a load, a resize)', () => {
    const page = new EventTarget();
    const start = vi.fn();
    afterFirstInteraction(page, false, start);
    page.dispatchEvent(new Event('load'));
    page.dispatchEvent(new Event('resize'));
    expect(start).not.toHaveBeenCalled();
  });

  it('starts at once on a page that opened scrolled (at an anchor), with no second start', () => {
    const page = new EventTarget();
    const start = vi.fn();
    afterFirstInteraction(page, true, start);
    page.dispatchEvent(new Event('scroll'));
    expect(start).toHaveBeenCalledTimes(1);
  });
});
