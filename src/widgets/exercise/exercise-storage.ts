/** The browser's localStorage, or nothing where it is missing or refused (private windows, blocked cookies). */
import type { KeyValueStorage } from '../../simulator-light';

export function browserStorage(): KeyValueStorage | undefined {
  try {
    return window.localStorage;
  } catch {
    return undefined;
  }
}
