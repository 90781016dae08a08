/**
 * The simulated AWS account's state (cilium/aws-ec2.ts), apart from its operations so that the
 * world's type can name it without importing them.
 */
export interface Ec2Instance {
  instanceId: string;
  networkInterfaceId: string;
  privateIp: string;
  publicIp?: string;
  securityGroups: string[];
  imageId: string;
  instanceType: string;
  state: 'running' | 'terminated';
}

export interface AwsAccount {
  instances: Ec2Instance[];
  /** How many instances were launched: numbers the next one's addresses and ids. */
  launched: number;
}

// The account's slot in the world (world.ts WorldLayers).
declare module '../world' {
  interface WorldLayers {
    /** The simulated AWS account (cilium/aws-ec2.ts); absent while it is the docs' starting point. */
    aws?: AwsAccount;
  }
}
