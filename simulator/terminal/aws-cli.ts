/**
 * The AWS CLI (v1, as the docs' `mesosphere/aws-cli` image ships it) against the simulated account
 * (cilium/aws-ec2.ts), for the AWS metadata walkthrough: `aws ec2 describe-instances`,
 * `describe-network-interfaces [--filters Name=group-id,Values=…]`, and, so a reader can watch the
 * operator follow the group, `run-instances` and `terminate-instances`. Output is the CLI's JSON
 * (four-space indentation, keys sorted as botocore's shapes list them), with the fields the model
 * keeps. Credentials and the region come from the container's environment, as the docs' test pod
 * takes them from the Secret `cilium-aws`.
 */
import type { Pod } from '../k8s/objects';
import { awsAccount, type Ec2Instance } from '../cilium/aws-ec2';
import { envSet } from '../cilium/to-groups';
import { fail, ok, type CommandResult, type TerminalContext } from './context';

const json = (value: unknown): CommandResult => ok(`${JSON.stringify(value, null, 4)}\n`);

const stateCodes = { pending: 0, running: 16, 'shutting-down': 32, terminated: 48 } as const;
const state = (name: keyof typeof stateCodes) => ({ Code: stateCodes[name], Name: name });

/** One network interface as DescribeNetworkInterfaces and DescribeInstances describe it. */
function networkInterface(instance: Ec2Instance): Record<string, unknown> {
  const address: Record<string, unknown> = { Primary: true, PrivateIpAddress: instance.privateIp };
  if (instance.publicIp !== undefined) address.Association = { PublicIp: instance.publicIp };
  return {
    Groups: instance.securityGroups.map((id) => ({ GroupId: id })),
    NetworkInterfaceId: instance.networkInterfaceId,
    PrivateIpAddress: instance.privateIp,
    PrivateIpAddresses: [address],
  };
}

function describedInstance(instance: Ec2Instance, now?: keyof typeof stateCodes): Record<string, unknown> {
  const running = instance.state === 'running';
  return {
    ImageId: instance.imageId,
    InstanceId: instance.instanceId,
    InstanceType: instance.instanceType,
    NetworkInterfaces: running ? [networkInterface(instance)] : [],
    ...(running ? { PrivateIpAddress: instance.privateIp } : {}),
    ...(running && instance.publicIp !== undefined ? { PublicIpAddress: instance.publicIp } : {}),
    SecurityGroups: instance.securityGroups.map((id) => ({ GroupId: id })),
    State: state(now ?? instance.state),
  };
}

/** The values of an option that takes a list (`--instance-ids a b`), up to the next option. */
function listOption(args: readonly string[], name: string): string[] | undefined {
  const at = args.indexOf(name);
  if (at < 0) return undefined;
  const values: string[] = [];
  for (const arg of args.slice(at + 1)) {
    if (arg.startsWith('--')) break;
    values.push(...arg.split(',').filter((value) => value !== ''));
  }
  return values;
}

/** `--filters Name=group-id,Values=sg-1,sg-2`: the groups asked for, or undefined without a filter. */
function groupFilter(args: readonly string[]): string[] | undefined {
  const filter = listOption(args, '--filters')?.join(',');
  if (filter === undefined) return undefined;
  const match = /Name=group-id,Values=(.+)$/.exec(filter);
  return match?.[1]?.split(',') ?? [];
}

function usage(message: string): CommandResult {
  return fail(
    `usage: aws [options] <command> <subcommand> [<subcommand> ...] [parameters]\nTo see help text, you can run:\n\n  aws help\n  aws <command> help\n  aws <command> <subcommand> help\naws: error: ${message}\n`,
    2,
  );
}

/** `aws ec2 …` in a container of a pod. */
export function awsCli(context: TerminalContext, pod: Pod, args: string[]): CommandResult {
  const [service, operation, ...rest] = args;
  if (service !== 'ec2') return usage(`argument command: Invalid choice: '${service ?? ''}'`);
  if (
    !envSet(context.simulation.state, pod, 'AWS_ACCESS_KEY_ID') ||
    !envSet(context.simulation.state, pod, 'AWS_SECRET_ACCESS_KEY')
  )
    return fail(
      'Unable to locate credentials. You can configure credentials by running "aws configure".\n',
      255,
    );
  if (!envSet(context.simulation.state, pod, 'AWS_DEFAULT_REGION'))
    return fail(
      'You must specify a region. You can also configure your region by running "aws configure".\n',
      255,
    );
  const account = awsAccount(context.simulation.state);
  switch (operation) {
    case 'describe-instances':
      return json({
        Reservations: account.instances.map((instance) => ({ Instances: [describedInstance(instance)] })),
      });
    case 'describe-network-interfaces': {
      const groups = groupFilter(rest);
      const running = account.instances.filter(
        (instance) =>
          instance.state === 'running' &&
          (groups === undefined || instance.securityGroups.some((group) => groups.includes(group))),
      );
      return json({ NetworkInterfaces: running.map(networkInterface) });
    }
    case 'run-instances':
      return runInstances(context, rest);
    case 'terminate-instances': {
      const ids = listOption(rest, '--instance-ids') ?? [];
      if (ids.length === 0) return usage('the following arguments are required: --instance-ids');
      const result = context.input({ type: 'aws.ec2.terminate-instances', instanceIds: ids });
      const ended = result.ok ? (result.ec2 ?? []) : [];
      return json({
        TerminatingInstances: ended.map((instance) => ({
          CurrentState: state('shutting-down'),
          InstanceId: instance.instanceId,
          PreviousState: state('running'),
        })),
      });
    }
    default:
      return usage(`argument operation: Invalid choice: '${operation ?? ''}'`);
  }
}

function runInstances(context: TerminalContext, args: readonly string[]): CommandResult {
  const imageId = listOption(args, '--image-id')?.[0];
  if (imageId === undefined) return usage('the following arguments are required: --image-id');
  const count = Number(listOption(args, '--count')?.[0] ?? '1');
  if (!Number.isInteger(count) || count < 1 || count > 20)
    return fail(
      'An error occurred (InvalidParameterValue) when calling the RunInstances operation: count\n',
      255,
    );
  const result = context.input({
    type: 'aws.ec2.run-instances',
    imageId,
    count,
    instanceType: listOption(args, '--instance-type')?.[0] ?? 'm1.small',
    securityGroupIds: listOption(args, '--security-group-ids') ?? [],
  });
  const launched = result.ok ? (result.ec2 ?? []) : [];
  return json({ Instances: launched.map((instance) => describedInstance(instance, 'pending')) });
}
