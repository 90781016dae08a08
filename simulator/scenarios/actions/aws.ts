/**
 * Actions on the simulated AWS account the AWS metadata walkthrough talks to (cilium/aws-ec2.ts),
 * as the reader's `aws ec2` commands in the test pod would change it.
 */
import { commandMs, type ScenarioRun } from '../run';
import type { ActionOf } from '../types';

/** `aws ec2 run-instances --security-group-ids …`: new instances join the groups. */
export function awsRunInstances(run: ScenarioRun, action: ActionOf<'aws-run-instances'>): void {
  run.simulation.advance(commandMs);
  const result = run.input({
    type: 'aws.ec2.run-instances',
    securityGroupIds: action.securityGroupIds,
    count: action.count,
    imageId: 'ami-0bdb1d6c15a40392c',
    instanceType: 't2.micro',
  });
  if (!result.ok) return;
  const instances = (result.ec2 ?? []).map(({ instanceId, privateIp, publicIp }) => ({
    instanceId,
    privateIp,
    ...(publicIp === undefined ? {} : { publicIp }),
  }));
  run.say(
    `aws ec2 run-instances --security-group-ids ${action.securityGroupIds.join(' ')}: ${instances
      .map(
        (each) =>
          `${each.instanceId} (${each.privateIp}${each.publicIp === undefined ? '' : `, ${each.publicIp}`})`,
      )
      .join(', ')}`,
  );
  run.observe({ kind: 'instances-launched', instances });
}
