import { describe, expect, it } from 'vitest';
import { formatDate } from '../../../simulator/terminal/date';
import { virtualEpochMs } from '../../../simulator/engine/virtual-time';
import { ciliumShell, kindShell } from './kubectl-support';

// `date` reads the world's clock, never the host's: a permalink replays the same output, and the
// format is GNU date's in the C locale and UTC, as on kind's nodes.
describe('terminal: date on the virtual clock', () => {
  it('prints the same time for the same world, and moves with virtual time only', async () => {
    const first = await kindShell().run('date; sleep 90; date');
    const second = await kindShell().run('date; sleep 90; date');
    expect(first).toEqual(second);
    const [before = '', after = ''] = first.stdout.trim().split('\n');
    expect(before).toMatch(/^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d UTC \d{4}$/);
    const seconds = (line: string) => {
      const [h = 0, m = 0, s = 0] = (line.split(' ').find((part) => part.includes(':')) ?? '')
        .split(':')
        .map(Number);
      return h * 3600 + m * 60 + s;
    };
    expect(seconds(after) - seconds(before)).toBe(90);
  });

  it.each([
    ['%Y-%m-%d %H:%M:%S', '2022-07-29 09:00:00'],
    ['%s', String(virtualEpochMs / 1000)],
    ['%F %T %Z %z', '2022-07-29 09:00:00 UTC +0000'],
    ['%a %A %b %B %e %j', 'Fri Friday Jul July 29 210'],
    ['100%% %Q', '100% %Q'],
  ])('formats +%s', (format, expected) => {
    expect(formatDate(format, 0, virtualEpochMs)).toBe(expected);
  });

  it.each([
    ['date -u +%Y', 0, /^\d{4}\n$/],
    ['date -s "2020-01-01"', 1, /^$/],
    ['date --bogus', 1, /^$/],
  ])('%s exits %i', async (line, exitCode, stdout) => {
    const result = await kindShell().run(line);
    expect(result.exitCode).toBe(exitCode);
    expect(result.stdout).toMatch(stdout);
    if (exitCode !== 0) expect(result.stderr).toMatch(/^date: /);
  });

  it('inside a container too', async () => {
    const shell = ciliumShell();
    const host = await shell.run('date +%s');
    const pod = await shell.run("kubectl -n kube-system exec ds/cilium -- sh -c 'date +%s'");
    expect(pod.exitCode).toBe(0);
    expect(Number(pod.stdout) - Number(host.stdout)).toBeGreaterThanOrEqual(0);
    expect(Number(pod.stdout) - Number(host.stdout)).toBeLessThan(60);
  });
});
