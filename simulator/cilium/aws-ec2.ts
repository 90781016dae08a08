/**
 * The simulated AWS account that the AWS metadata walkthrough (docs: security/aws) talks to: EC2
 * instances with one network interface each, a private address in the VPC and, for most, a public
 * one, members of security groups. It starts with the docs' own example, one instance in the group
 * `sg-0f2146100a88d03c3` whose interface holds 172.31.44.160 with the public 34.254.113.42, and
 * changes only through the reader's `aws ec2 run-instances` / `terminate-instances` (inputs).
 *
 * Only what the operator's toGroups provider and the docs' `aws ec2 describe-instances` read is kept:
 * no AMIs, subnets or instance types beyond the names the reader passed.
 */
import { hashString64 } from '../engine/state-hash';
import type { World } from '../world';
import type { AwsAccount, Ec2Instance } from './aws-account';

export type { AwsAccount, Ec2Instance } from './aws-account';

/** The docs' example security group. */
const docsSecurityGroup = 'sg-0f2146100a88d03c3';

/** An EC2 id: the prefix and 17 hexadecimal digits. */
function ec2Id(prefix: string, seed: string): string {
  return `${prefix}-${(hashString64(seed) + hashString64(`${seed}#2`)).slice(0, 17)}`;
}

/** The n-th instance of the account, with addresses of its own. */
function instance(n: number, securityGroups: string[], imageId: string, instanceType: string): Ec2Instance {
  if (n === 0)
    return {
      instanceId: ec2Id('i', 'instance-0'),
      networkInterfaceId: ec2Id('eni', 'eni-0'),
      privateIp: '172.31.44.160',
      publicIp: '34.254.113.42',
      securityGroups,
      imageId,
      instanceType,
      state: 'running',
    };
  return {
    instanceId: ec2Id('i', `instance-${n}`),
    networkInterfaceId: ec2Id('eni', `eni-${n}`),
    privateIp: `172.31.${32 + Math.floor(n / 250)}.${(n % 250) + 4}`,
    publicIp: `34.254.${Math.floor(n / 250) + 114}.${(n % 250) + 4}`,
    securityGroups,
    imageId,
    instanceType,
    state: 'running',
  };
}

/** The account as it stands (the docs' starting point until the reader changes it). */
export function awsAccount(world: Readonly<World>): AwsAccount {
  return (
    world.aws ?? {
      instances: [instance(0, [docsSecurityGroup], 'ami-0bdb1d6c15a40392c', 't2.micro')],
      launched: 1,
    }
  );
}

/** The `aws.ec2.run-instances` input: launches instances in the given security groups. */
export function runInstances(
  world: World,
  request: { securityGroupIds: string[]; count: number; imageId: string; instanceType: string },
): Ec2Instance[] {
  const account = (world.aws ??= awsAccount(world));
  const launched: Ec2Instance[] = [];
  for (let i = 0; i < request.count; i++) {
    const next = instance(account.launched, request.securityGroupIds, request.imageId, request.instanceType);
    account.launched += 1;
    account.instances.push(next);
    launched.push(next);
  }
  return launched;
}

/** The `aws.ec2.terminate-instances` input: the instances and their interfaces go. */
export function terminateInstances(world: World, instanceIds: readonly string[]): Ec2Instance[] {
  const account = (world.aws ??= awsAccount(world));
  const ended: Ec2Instance[] = [];
  for (const each of account.instances) {
    if (!instanceIds.includes(each.instanceId) || each.state === 'terminated') continue;
    each.state = 'terminated';
    ended.push(each);
  }
  return ended;
}

/** An IPv4 address as a number, for Go's netip ordering of the results. */
function addressValue(ip: string): number {
  return ip.split('.').reduce((value, octet) => value * 256 + Number(octet), 0);
}

/**
 * DescribeNetworkInterfaces filtered by `group-id`, as the operator's provider reads it: each
 * interface's private addresses and their associated public ones, then sorted and de-duplicated
 * (pkg/policy/groups/aws/aws.go getNetworkInterfaceIpsFromFilter, pkg/ip KeepUniqueAddrs at v1.18.5).
 * A terminated instance's interface is deleted with it.
 */
export function securityGroupAddresses(account: AwsAccount, groupIds: readonly string[]): string[] {
  const addresses = new Set<string>();
  for (const each of account.instances) {
    if (each.state !== 'running' || !each.securityGroups.some((group) => groupIds.includes(group))) continue;
    addresses.add(each.privateIp);
    if (each.publicIp !== undefined) addresses.add(each.publicIp);
  }
  return [...addresses].sort((a, b) => addressValue(a) - addressValue(b));
}
