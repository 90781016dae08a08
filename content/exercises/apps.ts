/** The small app shared by the reference's policy puzzles: a server, its two clients and an intruder. */
import { applyAndWait, workload } from './setups';

const server = workload({ name: 'server', image: 'docker.io/library/nginx', port: 80 });
const frontend = workload({ name: 'frontend', image: 'docker.io/curlimages/curl' });
const batch = workload({ name: 'batch', image: 'docker.io/curlimages/curl' });
const intruder = workload({ name: 'intruder', image: 'docker.io/curlimages/curl' });

/** Deploys the four and waits for them. */
export const deployApps: readonly string[] = applyAndWait(`${server}---\n${frontend}---\n${batch}---\n${intruder}`);

/** A probe goal's request: GET / from a client to the server's Service. */
export const toServer = { host: 'server', port: 80, http: { method: 'GET', path: '/' } } as const;
