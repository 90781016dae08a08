/**
 * A trial's link into the mistaken-identity lab, or the reasons the lab cannot replay it. Kept apart
 * from the risk lab's light surface: encoding a lab record validates it against the scenario
 * catalogue, which a page should load only when a reader opens a trial.
 */
import { encodeLabPermalink } from '../permalink';
import { labReplay, trialLabRecord } from './lab-trial';
import type { RiskParameters } from './parameters';
import { riskSetup } from './setups';

/** Where a trial opens, relative to the site's root. */
export type TrialLink = { ok: true; href: string } | { ok: false; reasons: string[] };

/** The lab link of a trial (path and fragment), or why there is none. */
export async function trialLink(
  parameters: RiskParameters,
  setupId: string,
  seed: number,
): Promise<TrialLink> {
  const setup = riskSetup(setupId);
  if (setup === undefined) return { ok: false, reasons: [`unknown setup ${setupId}`] };
  const replay = labReplay(parameters, setup);
  if (!replay.ok) return replay;
  const fragment = await encodeLabPermalink(trialLabRecord(parameters, setup, seed));
  return { ok: true, href: `/guides/mistaken-identity/#${fragment}` };
}
