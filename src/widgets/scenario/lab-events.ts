/**
 * The page's one simulator lives in its scenario widget; small controls elsewhere on the page (a
 * section's "bring the lab to this step", a code block's "run in the terminal") talk to it through
 * a window inbox and an event, so they load none of the simulator. The inbox keeps a request made
 * before the widget has hydrated (it hydrates when scrolled into view, which the request triggers).
 */
export type LabMessage =
  | { kind: 'goto'; scenario: string; step: number }
  | { kind: 'run'; scenario: string; command: string }
  /** Open the lab's workspace; closing it returns the reader to `scrollY`, where they were reading. */
  | { kind: 'workspace'; scenario: string; scrollY: number };

const eventName = 'identity-lab:message';

interface LabWindow {
  identityLabInbox?: LabMessage[];
}

/** The id of a scenario widget's root element, for scrolling to it. */
export const labElementId = (scenario: string) => `lab-${scenario}`;

export function sendToLab(message: LabMessage): void {
  const inbox = ((window as LabWindow).identityLabInbox ??= []);
  inbox.push(message);
  document.getElementById(labElementId(message.scenario))?.scrollIntoView({ block: 'start' });
  window.dispatchEvent(new Event(eventName));
}

/** Takes the messages waiting for one scenario, oldest first. */
export function takeLabMessages(scenario: string): LabMessage[] {
  const target = window as LabWindow;
  const inbox = target.identityLabInbox ?? [];
  target.identityLabInbox = inbox.filter((message) => message.scenario !== scenario);
  return inbox.filter((message) => message.scenario === scenario);
}

/** Calls back whenever a message may be waiting; returns the unsubscribe function. */
export function onLabMessage(callback: () => void): () => void {
  window.addEventListener(eventName, callback);
  return () => window.removeEventListener(eventName, callback);
}
