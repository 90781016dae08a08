/**
 * The risk lab's light surface: parameters, setups, sweep planning and aggregation, statistics and
 * formatting. It runs no trial and loads neither the full simulator nor the reduced model, so a page
 * can plan and render a sweep on its main thread; the trials run in `sweep-batch.ts` (Web Workers)
 * and a trial's lab link is built by `trial-link.ts`, both loaded on their own.
 */
export {
  defaultRiskParameters,
  riskParameterRanges,
  checkRiskParameters,
  clientWorkloads,
  withParameters,
  poolSize,
  windowSeconds,
  type RiskParameters,
  type RiskWindow,
  type IpamMode,
} from './parameters';
export {
  riskSetups,
  defaultSetupIds,
  riskSetup,
  receiverModel,
  type RiskSetup,
  type IdentitySource,
} from './setups';
export {
  sweepAxes,
  sweepPoints,
  defaultStopping,
  PointAccumulator,
  planSetups,
  trialSeed,
  type SweepAxis,
  type SweepPlan,
  type SweepPoint,
  type BatchResult,
  type PointSummary,
  type SetupSummary,
} from './sweep';
export { wilsonInterval, histogram, quantile, trialsForHalfWidth, z95 } from './statistics';
export { analyticWrongAdmitProbability } from './analytic';
export { percent, duration, describeParameters, reportRows, formatCsv, type ReportRow } from './report';
